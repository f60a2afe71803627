import { Type, type Static } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import type { Db } from '../db/dialect.js';
import { Invalid } from '../errors.js';
import { isSealed, type SecretBox } from '../secrets/secretBox.js';

/**
 * A mailbox is an email subchannel whose `data` holds its connection settings, as Enneo keeps
 * channel settings there:
 *
 *   { email, imap: {host, port, secure, user, password, folder, tlsVerify},
 *            smtp: {host, port, secure, user, password, fromName, tlsVerify} }
 *
 * This module is the one place for that shape: validating it when a subchannel is written,
 * sealing the passwords (they are stored only encrypted, as `passwordSealed`), redacting them from
 * every answer, and turning a stored subchannel back into connection options for imapflow and
 * nodemailer. `secure: true` is TLS from the first byte (993, 465); `secure: false` upgrades with
 * STARTTLS when the server offers it (143, 587) and stays plain otherwise (a local test server).
 */

const Host = Type.String({ minLength: 1, maxLength: 253 });
const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Secret = Type.Union([Type.String({ maxLength: 1000 }), Type.Null()]);

const ImapInput = Type.Object({
  host: Host,
  port: Port,
  secure: Type.Boolean(),
  user: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.Optional(Secret),
  folder: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  tlsVerify: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

const SmtpInput = Type.Object({
  host: Host,
  port: Port,
  secure: Type.Boolean(),
  user: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])),
  password: Type.Optional(Secret),
  fromName: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  tlsVerify: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

const EmailDataInput = Type.Object({
  email: Type.Optional(Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' })),
  imap: Type.Optional(Type.Union([ImapInput, Type.Null()])),
  smtp: Type.Optional(Type.Union([SmtpInput, Type.Null()])),
}, { additionalProperties: true });

type EmailDataInput = Static<typeof EmailDataInput>;

const ajv = new Ajv({ coerceTypes: false, allErrors: false, strict: false });
const validateEmailData = ajv.compile<EmailDataInput>(EmailDataInput);

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  folder: string;
  tlsVerify: boolean;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  password: string | null;
  fromName: string | null;
  tlsVerify: boolean;
}

/** An email subchannel with its settings decrypted: for the fetcher and the sender only, never an answer. */
export interface Mailbox {
  subchannelId: number;
  name: string;
  enabled: boolean;
  /** The mailbox's own address: From of replies, and how a mail to it is recognised. */
  email: string | null;
  imap: ImapSettings | null;
  smtp: SmtpSettings | null;
}

type Stored = Record<string, unknown>;

/**
 * Validates the `data` of an email subchannel and seals its passwords, for storage. `previous` is
 * the stored data being replaced (PATCH): a password left out keeps the stored one, `null` or ""
 * clears it. Other channels' data pass through unchanged.
 */
export function prepareSubchannelData(box: SecretBox, channel: string, data: Stored | null | undefined, previous: Stored | null): Stored | null {
  if (data === undefined) return previous;
  if (data === null) return null;
  if (channel !== 'email') return data;
  if (!validateEmailData(data)) throw invalidData(validateEmailData.errors?.[0]);
  const out: Stored = { ...data };
  for (const part of ['imap', 'smtp'] as const) {
    const given = data[part];
    if (!given) continue;
    const { password, ...rest } = given;
    const kept = (previous?.[part] as Stored | null | undefined)?.passwordSealed;
    const sealed = password === undefined ? (isSealed(kept) ? kept : undefined) : password ? box.seal(password) : undefined;
    out[part] = sealed ? { ...rest, passwordSealed: sealed } : rest;
  }
  if (data.imap && !(out.imap as Stored).passwordSealed) throw new Invalid('data.imap.password', 'is required to log in to the mailbox', 'mailbox_password_missing');
  return out;
}

/** The subchannel data as answers show it: sealed passwords replaced by `passwordSet: true`. */
export function redactSubchannelData(data: Stored | null): Stored | null {
  if (!data) return data;
  const out: Stored = { ...data };
  for (const part of ['imap', 'smtp'] as const) {
    const p = data[part];
    if (!p || typeof p !== 'object') continue;
    const { passwordSealed, password: _plain, ...rest } = p as Stored;
    out[part] = { ...rest, passwordSet: isSealed(passwordSealed) };
  }
  return out;
}

/** One email subchannel with its settings decrypted, or null when it is not an email subchannel. */
export async function readMailbox(db: Db, box: SecretBox, subchannelId: number): Promise<Mailbox | null> {
  const row = await db.kysely.selectFrom('subchannels').selectAll().where('id', '=', subchannelId).executeTakeFirst();
  return row && row.channel === 'email' ? toMailbox(box, row) : null;
}

/** The enabled email subchannels that have IMAP settings: the mailboxes to fetch. */
export async function listFetchableMailboxes(db: Db, box: SecretBox): Promise<Mailbox[]> {
  const rows = await db.kysely.selectFrom('subchannels').selectAll().where('channel', '=', 'email').where('enabled', '=', 1).orderBy('id').execute();
  return rows.map((r) => toMailbox(box, r)).filter((m) => m.imap !== null);
}

/** A subchannel's own address from its stored data: `email`, or the older `address` key. */
export function mailboxAddress(data: Stored | null): string | null {
  if (!data) return null;
  const v = data.email ?? data.address;
  return typeof v === 'string' ? v : null;
}

function toMailbox(box: SecretBox, row: { id: number; name: string; enabled: number; data: string | null }): Mailbox {
  const data = (row.data ? JSON.parse(row.data) : {}) as Stored;
  const imap = data.imap as Stored | null | undefined;
  const smtp = data.smtp as Stored | null | undefined;
  const email = mailboxAddress(data);
  return {
    subchannelId: row.id,
    name: row.name,
    enabled: row.enabled === 1,
    email,
    imap: imap ? {
      host: String(imap.host), port: Number(imap.port), secure: imap.secure === true, user: String(imap.user),
      password: isSealed(imap.passwordSealed) ? box.open(imap.passwordSealed) : '',
      folder: typeof imap.folder === 'string' ? imap.folder : 'INBOX',
      tlsVerify: imap.tlsVerify !== false,
    } : null,
    smtp: smtp ? {
      host: String(smtp.host), port: Number(smtp.port), secure: smtp.secure === true,
      user: typeof smtp.user === 'string' && smtp.user ? smtp.user : null,
      password: isSealed(smtp.passwordSealed) ? box.open(smtp.passwordSealed) : null,
      fromName: typeof smtp.fromName === 'string' ? smtp.fromName : null,
      tlsVerify: smtp.tlsVerify !== false,
    } : null,
  };
}

/** Connection options for imapflow's `new ImapFlow(…)` (logger off: our log has the context). */
export function imapClientOptions(imap: ImapSettings) {
  return {
    host: imap.host,
    port: imap.port,
    secure: imap.secure,
    auth: { user: imap.user, pass: imap.password },
    tls: { rejectUnauthorized: imap.tlsVerify },
    logger: false as const,
  };
}

/** Options for nodemailer's `createTransport(…)` (SMTP). */
export function smtpTransportOptions(smtp: SmtpSettings) {
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    tls: { rejectUnauthorized: smtp.tlsVerify },
  };
}

function invalidData(e: ErrorObject | undefined): Invalid {
  if (!e) return new Invalid('data', 'is not valid email subchannel data');
  const missing = e.keyword === 'required' ? `.${String(e.params.missingProperty)}` : '';
  const extra = e.keyword === 'additionalProperties' ? `.${String(e.params.additionalProperty)}` : '';
  const field = `data${e.instancePath.replaceAll('/', '.')}${missing}${extra}`;
  const reason = e.keyword === 'required' ? 'is required' : e.keyword === 'additionalProperties' ? 'is not a known setting' : (e.message ?? 'is not valid');
  return new Invalid(field, reason, 'invalid_mailbox_settings');
}

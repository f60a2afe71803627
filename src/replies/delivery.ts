import crypto from 'node:crypto';
import type { AppContext } from '../context.js';
import type { Kysely } from 'kysely';
import type { Database, TicketRow } from '../db/schema.js';
import { Invalid } from '../errors.js';
import { readMailbox, type Mailbox } from '../mail/mailboxSettings.js';
import { subjectWithTag } from '../mail/ticketTag.js';
import { parseRecipients } from '../conversations/addresses.js';

/** The job that mails a reply (sendReply.ts); enqueued in the transaction that stores the reply. */
export const SEND_REPLY_TASK = 'sendReply';

/** A mailbox a reply can be sent from: an email subchannel with SMTP settings and an address. */
export interface SendingMailbox extends Mailbox {
  email: string;
  smtp: NonNullable<Mailbox['smtp']>;
}

/**
 * How a reply on this subchannel leaves: through its mailbox (SMTP), or not at all (portal,
 * letter, chat, an email subchannel without SMTP settings) — then it is `stored` and the
 * ConversationCreated event carries it to an integrator's hook.
 */
export async function sendingMailbox(ctx: AppContext, subchannelId: number | null): Promise<SendingMailbox | null> {
  if (subchannelId === null) return null;
  const mailbox = await readMailbox(ctx.db, ctx.secretBox, subchannelId);
  if (!mailbox?.smtp) return null;
  if (!mailbox.email) throw new Invalid('subchannelId', `mailbox ${subchannelId} has SMTP settings but no email address to send from (set data.email)`, 'mailbox_without_address');
  return mailbox as SendingMailbox;
}

/** `<uuid@mailbox-domain>` without the brackets: unique, and from the domain the mail is sent from. */
export function newMessageId(mailboxEmail: string): string {
  const domain = mailboxEmail.slice(mailboxEmail.lastIndexOf('@') + 1) || 'ticketmind.local';
  return `${crypto.randomUUID()}@${domain}`;
}

/** The reply's text: `body`, else Enneo's `content` (a string, or an object holding it). */
export function replyText(input: { body?: string | null; content?: unknown }): string | null {
  if (typeof input.body === 'string') return input.body;
  const c = input.content;
  if (typeof c === 'string') return c;
  if (c && typeof c === 'object') {
    for (const k of ['html', 'body', 'message', 'text']) {
      const v = (c as Record<string, unknown>)[k];
      if (typeof v === 'string') return v;
    }
  }
  return null;
}

/** The reply's text must be given; whether it says anything is judged on its derived plain text (checkSaysSomething). */
export function checkGiven(text: string | null, field = 'body'): string {
  if (text === null) throw new Invalid(field, 'is required: the reply\'s text (body or content)', 'empty_reply');
  return text;
}

/** An empty reply is refused: nothing but whitespace, tags and entities (its plain text is empty) and no image. */
export function checkSaysSomething(html: string, plain: string, field = 'body'): void {
  if (plain.trim() === '' && !html.includes('<img')) throw new Invalid(field, 'is empty: a reply needs text', 'empty_reply');
}

const asList = (v: string | string[] | null | undefined): string[] | undefined => (v == null ? undefined : Array.isArray(v) ? v : [v]);

/** Enneo's to / cc / bcc, checked under one budget; errors name `to[0]`, `cc[1]` … */
export function replyRecipients(input: { to?: string | string[] | null; cc?: string | string[] | null; bcc?: string | string[] | null }) {
  const r = parseRecipients({ to: asList(input.to), cc: asList(input.cc), bcc: asList(input.bcc) });
  return { to: r.to!, cc: r.cc!, bcc: r.bcc!, toGiven: input.to != null };
}

/** The customer a reply goes to by default: the last customer message's sender, else the ticket's. */
export async function customerAddress(db: Kysely<Database>, ticket: Pick<TicketRow, 'id' | 'from_email'>): Promise<string | null> {
  const last = await db.selectFrom('conversations').select('from_email')
    .where('ticket_id', '=', ticket.id).where('direction', '=', 'in').where('deleted_at', 'is', null).where('from_email', 'is not', null)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return last?.from_email ?? ticket.from_email;
}

/** "Re: <ticket subject> [#id]"; a given subject keeps its words and gains the tag the fetcher threads on. */
export function replySubject(given: string | null | undefined, ticket: Pick<TicketRow, 'id' | 'subject'>, tagged: boolean): string {
  const base = given ?? (/^re:/i.test(ticket.subject) ? ticket.subject : `Re: ${ticket.subject}`.trimEnd());
  return tagged ? subjectWithTag(base, ticket.id) : base;
}

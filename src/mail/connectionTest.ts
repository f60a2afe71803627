import dns from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { AppContext } from '../context.js';
import { imapClientOptions, smtpTransportOptions, type ImapSettings, type Mailbox, type SmtpSettings } from './mailboxSettings.js';

/**
 * POST /api/mind/settings/subchannel/{id}/test: connects the way the fetcher (IMAP) and the
 * sender (SMTP) will, step by step, and says which step failed in words an admin can act on:
 * dns (the host name), tcp (nothing listens / a firewall), tls (certificate, wrong port for
 * TLS), auth (user or password), folder (IMAP only). Every step is bounded by
 * MAIL_CONNECT_TIMEOUT_MS.
 */

export type Step = 'dns' | 'tcp' | 'tls' | 'auth' | 'folder' | 'smtp' | 'imap' | 'done';

export interface StepReport {
  ok: boolean;
  step: Step;
  message: string;
}

export interface ConnectionReport {
  success: boolean;
  imap: StepReport | null;
  smtp: StepReport | null;
}

export async function testMailboxConnection(ctx: AppContext, box: Mailbox): Promise<ConnectionReport> {
  const timeoutMs = ctx.config.MAIL_CONNECT_TIMEOUT_MS;
  const [imap, smtp] = await Promise.all([
    box.imap ? testImap(box.imap, timeoutMs) : Promise.resolve(null),
    box.smtp ? testSmtp(box.smtp, timeoutMs) : Promise.resolve(null),
  ]);
  return { success: (imap?.ok ?? true) && (smtp?.ok ?? true) && (imap !== null || smtp !== null), imap, smtp };
}

const fail = (step: Step, message: string): StepReport => ({ ok: false, step, message });

/** dns, tcp and (for secure: true) the TLS handshake, shared by both protocols; null when all passed. */
async function reach(proto: string, host: string, port: number, secure: boolean, tlsVerify: boolean, timeoutMs: number): Promise<StepReport | null> {
  if (net.isIP(host) === 0) {
    try {
      await withTimeout(dns.lookup(host), timeoutMs, 'ETIMEOUT');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return fail('dns', code === 'ENOTFOUND' || code === 'ENODATA'
        ? `The ${proto} host name "${host}" was not found in DNS. Check its spelling (e.g. imap.example.com) or use the server's IP address.`
        : `The ${proto} host name "${host}" could not be looked up (${code ?? (err as Error).message}). Check this server's DNS settings.`);
    }
  }
  const tcp = await new Promise<StepReport | null>((resolve) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => { sock.destroy(); resolve(fail('tcp', `No answer from ${host} port ${port} within ${timeoutMs} ms. A firewall may drop the connection, or the port is wrong (${proto}: usually ${proto === 'IMAP' ? '993 with TLS or 143' : '465 with TLS or 587'}).`)); }, timeoutMs);
    sock.once('connect', () => { clearTimeout(timer); sock.destroy(); resolve(null); });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(fail('tcp', err.code === 'ECONNREFUSED'
        ? `${host} refused the connection on port ${port}: nothing listens there. Check the port (${proto}: usually ${proto === 'IMAP' ? '993 with TLS or 143' : '465 with TLS or 587'}) and that the server runs.`
        : `Could not connect to ${host} port ${port} (${err.code ?? err.message}). Check the host, the port and the network.`));
    });
  });
  if (tcp || !secure) return tcp;
  return new Promise<StepReport | null>((resolve) => {
    const sock = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: tlsVerify });
    const timer = setTimeout(() => { sock.destroy(); resolve(fail('tls', `No TLS handshake with ${host}:${port} within ${timeoutMs} ms: the port may expect a plain connection (then set secure: false, e.g. port ${proto === 'IMAP' ? '143' : '587'} with STARTTLS).`)); }, timeoutMs);
    sock.once('secureConnect', () => { clearTimeout(timer); sock.destroy(); resolve(null); });
    sock.once('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); sock.destroy(); resolve(fail('tls', tlsAdvice(err, host, port, proto))); });
  });
}

const CERT_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID']);

function isTlsError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const code = e?.code ?? '';
  return CERT_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /certificate|ssl|tls/i.test((e?.message ?? '').slice(0, 300));
}

function tlsAdvice(err: NodeJS.ErrnoException, host: string, port: number, proto: string): string {
  const code = err.code ?? '';
  if (CERT_CODES.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `The TLS certificate of ${host} is not trusted (${code}: ${err.message}). Use the host name the certificate is issued for, install a valid certificate, or — for a server you control — set tlsVerify: false.`;
  }
  if (code.startsWith('ERR_SSL')) return `TLS failed with ${host}:${port} (${code}): the port may expect a plain connection. Use secure: false on the STARTTLS port (${proto === 'IMAP' ? '143' : '587'}) or secure: true on ${proto === 'IMAP' ? '993' : '465'}.`;
  return `TLS failed with ${host}:${port}: ${err.message}`;
}

async function testImap(imap: ImapSettings, timeoutMs: number): Promise<StepReport> {
  const reached = await reach('IMAP', imap.host, imap.port, imap.secure, imap.tlsVerify, timeoutMs);
  if (reached) return reached;
  const client = new ImapFlow({ ...imapClientOptions(imap), connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs * 2 });
  client.on('error', () => {});
  try {
    try {
      await client.connect();
    } catch (err) {
      const e = err as Error & { authenticationFailed?: boolean; responseText?: string };
      if (e.authenticationFailed) return fail('auth', `The IMAP server refused the login of "${imap.user}"${e.responseText ? ` (${e.responseText})` : ''}. Check user name and password; some providers need an app password or IMAP enabled in the account settings.`);
      if (isTlsError(err)) return fail('tls', tlsAdvice(err as NodeJS.ErrnoException, imap.host, imap.port, 'IMAP'));
      return fail('imap', `The IMAP connection failed after connecting: ${e.message}. Is ${imap.host}:${imap.port} an IMAP server?`);
    }
    try {
      await client.mailboxOpen(imap.folder, { readOnly: true });
    } catch (err) {
      const names = (await client.list().catch(() => [])).map((f) => f.path).slice(0, 20);
      return fail('folder', `The folder "${imap.folder}" cannot be opened (${(err as Error & { responseText?: string }).responseText ?? (err as Error).message}). Folders of this mailbox: ${names.join(', ') || 'none listed'}.`);
    }
    return { ok: true, step: 'done', message: `Logged in to ${imap.host}:${imap.port} as ${imap.user} and opened "${imap.folder}" (${client.mailbox ? client.mailbox.exists : 0} messages).` };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function testSmtp(smtp: SmtpSettings, timeoutMs: number): Promise<StepReport> {
  const reached = await reach('SMTP', smtp.host, smtp.port, smtp.secure, smtp.tlsVerify, timeoutMs);
  if (reached) return reached;
  const transporter = nodemailer.createTransport({ ...smtpTransportOptions(smtp), connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs * 2 });
  try {
    await transporter.verify();
    return { ok: true, step: 'done', message: `Connected to ${smtp.host}:${smtp.port}${smtp.user ? ` and logged in as ${smtp.user}` : ''}.` };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { response?: string };
    if (e.code === 'EAUTH') return fail('auth', `The SMTP server refused the login of "${smtp.user ?? ''}"${e.response ? ` (${e.response.slice(0, 200)})` : ''}. Check user name and password.`);
    if (isTlsError(err)) return fail('tls', tlsAdvice(e, smtp.host, smtp.port, 'SMTP'));
    return fail('smtp', `The SMTP server answered with an error: ${e.message}`);
  } finally {
    transporter.close();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, code: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code })), ms); }),
  ]);
}

import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SmtpSettings } from '../mail/mailboxSettings.js';

/**
 * One SMTP delivery on nodemailer's SMTPConnection, used directly rather than through a transport
 * because "sent at most once" needs to know how far an attempt got: an error before the message
 * is handed over (connect, TLS, login, MAIL FROM, RCPT TO) means it did not go out and may be
 * retried; an error without a server answer after that (the connection broke during or after
 * DATA) means it may have gone out, and only a person can find out.
 */

export interface SmtpTimeouts {
  connectionMs: number;
  greetingMs: number;
  socketMs: number;
}

export interface SmtpResult {
  /** the server's answer to the message, e.g. "250 2.0.0 Ok: queued as 4711" */
  response: string;
  accepted: string[];
  rejected: string[];
}

export class SmtpSendError extends Error {
  constructor(
    message: string,
    /** the server's numeric answer, when it gave one */
    readonly responseCode: number | null,
    readonly response: string | null,
    /** true when the message had been handed to the server when the error happened */
    readonly duringData: boolean,
    /** nodemailer's error code (ECONNECTION, ETIMEDOUT, EAUTH, EENVELOPE, EMESSAGE …) */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'SmtpSendError';
  }
}

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

function asSendError(err: unknown, duringData: boolean): SmtpSendError {
  const e = err as NodemailerError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  const response = typeof e.response === 'string' ? e.response.slice(0, 1000) : null;
  const what = [e.code, e.command].filter(Boolean).join(' ');
  return new SmtpSendError(`${what ? `${what}: ` : ''}${e.message ?? String(err)}`.slice(0, 1000), code, response, duringData && code === null, e.code ?? null);
}

export async function smtpSend(smtp: SmtpSettings, envelope: { from: string; to: string[] }, raw: Buffer, timeouts: SmtpTimeouts): Promise<SmtpResult> {
  const conn = new SMTPConnection({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    // secure: false upgrades with STARTTLS when the server offers it (mailboxSettings.ts)
    tls: { rejectUnauthorized: smtp.tlsVerify },
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
  });
  const progress: { stage: 'before' | 'data' } = { stage: 'before' };
  // SMTPConnection reports a refused connect, a TLS failure or a dropped socket only as an
  // 'error' or 'end' event, not through the pending step's callback: every step races them.
  const broken = new Promise<never>((_resolve, reject) => {
    conn.once('error', reject);
    conn.once('end', () => reject(Object.assign(new Error('the SMTP server closed the connection'), { code: 'ECONNECTION' })));
  });
  broken.catch(() => {});
  // Later errors (after the first one settled the attempt) must not become an unhandled 'error' event.
  conn.on('error', () => {});
  const step = <T>(run: (done: (err: unknown, value?: T) => void) => void): Promise<T> =>
    Promise.race([new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T)))), broken]);
  try {
    await step<void>((done) => conn.connect((err) => done(err)));
    if (smtp.user) {
      await step<void>((done) => conn.login({ user: smtp.user!, pass: smtp.password ?? '' }, (err) => done(err)));
    }
    const info = await step<SMTPConnection.SentMessageInfo>((done) => {
      progress.stage = 'data';
      conn.send(envelope, raw, (err, i) => done(err, i));
    });
    conn.quit();
    return {
      response: String(info.response ?? '').slice(0, 1000),
      accepted: (info.accepted ?? []).map(String),
      rejected: (info.rejected ?? []).map(String),
    };
  } catch (err) {
    conn.close();
    // nodemailer reports RCPT rejections before DATA through send's callback: no message went out.
    const e = err as NodemailerError;
    const beforeData = e.command === 'RCPT TO' || e.command === 'MAIL FROM' || e.code === 'EENVELOPE' || (e.code === 'EMESSAGE' && e.command === 'MAIL FROM');
    throw asSendError(err, progress.stage === 'data' && !beforeData);
  }
}

import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';

// A real SMTP receiving end for tests (the smtp-server package on 127.0.0.1): records every
// envelope and raw message it accepted, answers the next DATA with a 4xx/5xx on demand, speaks
// STARTTLS with smtp-server's built-in self-signed certificate, and checks AUTH PLAIN/LOGIN.

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
  /** the session was on TLS (STARTTLS) when the message came */
  secure: boolean;
  /** the user that logged in, if any */
  user: string | null;
}

export interface SinkOptions {
  /** require AUTH with these credentials (only after STARTTLS) */
  auth?: { user: string; pass: string };
  /** implicit TLS from the first byte (port 465 style) instead of plain + STARTTLS */
  secure?: boolean;
}

export class SmtpSink {
  readonly accepted: ReceivedMail[] = [];
  /** messages transferred but answered with an error (failNext) */
  readonly refused: Array<{ code: number; raw: Buffer }> = [];
  readonly failedLogins: string[] = [];
  private failures: Array<{ code: number; message: string }> = [];

  private constructor(private readonly server: SMTPServer, readonly port: number, readonly secure: boolean) {}

  static async start(opts: SinkOptions = {}): Promise<SmtpSink> {
    // The callbacks run only after listen, when the sink exists.
    const self: { sink: SmtpSink | null } = { sink: null };
    const server = new SMTPServer({
      logger: false,
      secure: opts.secure === true,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: !opts.auth,
      allowInsecureAuth: false,
      size: 50 * 1024 * 1024,
      onAuth(auth, _session, callback) {
        if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return callback(null, { user: auth.username });
        self.sink!.failedLogins.push(String(auth.username));
        return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onData(stream, session: SMTPServerSession, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const failure = self.sink!.failures.shift();
          if (failure) {
            self.sink!.refused.push({ code: failure.code, raw });
            return callback(Object.assign(new Error(failure.message), { responseCode: failure.code }));
          }
          self.sink!.accepted.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : null,
          });
          callback(null, `Ok: queued as sink-${self.sink!.accepted.length}`);
        });
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    self.sink = new SmtpSink(server, (server.server.address() as AddressInfo).port, opts.secure === true);
    return self.sink;
  }

  /** The next `times` messages are answered with `code message` after they were transferred. */
  failNext(code: number, message: string, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ code, message });
  }

  /** data.smtp for POST /api/mind/settings/subchannel pointing at this sink */
  smtpSettings(extra: Record<string, unknown> = {}) {
    return { host: '127.0.0.1', port: this.port, secure: this.secure, tlsVerify: false, ...extra };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

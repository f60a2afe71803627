import { it, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { describeEachDb } from '../helpers/suite.js';
import type { TestApp } from '../helpers/app.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../helpers/dovecot.js';

// POST /api/mind/settings/subchannel/{id}/test against a real Dovecot (IMAP) and a real
// smtp-server (SMTP): each broken setting is reported at its step with advice.

const run = dovecotAvailable();
let dv: Dovecot;
let smtp: SMTPServer;
let smtpPort = 0;

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function test(t: TestApp, imap: Record<string, unknown> | null, smtpSettings: Record<string, unknown> | null = null) {
  const created = await t.call('POST', '/api/mind/settings/subchannel', { channel: 'email', name: 'Test', data: { email: 'service@stadtwerke.example', imap, smtp: smtpSettings } });
  assert.equal(created.statusCode, 200, created.body);
  const res = await t.call('POST', `/api/mind/settings/subchannel/${created.json().id}/test`, {});
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { success: boolean; imap: { ok: boolean; step: string; message: string } | null; smtp: { ok: boolean; step: string; message: string } | null };
}

if (run) {
  before(async () => {
    dv = await startDovecot();
    smtp = new SMTPServer({
      authOptional: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true,
      onAuth: (auth, _s, cb) => (auth.username === 'smtp-user' && auth.password === 'smtp-pass' ? cb(null, { user: 1 }) : cb(new Error('Invalid username or password'))),
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    smtpPort = (smtp.server.address() as net.AddressInfo).port;
  });
  after(async () => {
    await dv?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  describeEachDb('the mailbox connection test', (app) => {
    it('good settings: IMAP logged in and folder opened (plain and TLS), SMTP logged in', async () => {
      const t = app();
      const { user, password } = dv.addUser();
      const plain = await test(t, { host: dv.host, port: dv.port, secure: false, user, password, tlsVerify: false }, { host: '127.0.0.1', port: smtpPort, secure: false, user: 'smtp-user', password: 'smtp-pass' });
      assert.equal(plain.success, true, JSON.stringify(plain));
      assert.deepEqual([plain.imap!.ok, plain.imap!.step, plain.smtp!.ok], [true, 'done', true]);
      const tls = await test(t, { host: dv.host, port: dv.tlsPort, secure: true, user, password, tlsVerify: false });
      assert.equal(tls.success, true, JSON.stringify(tls));
      assert.equal(tls.smtp, null);
    });

    it('names the failed step: dns, tcp, tls, auth, folder — and SMTP auth', async () => {
      const t = app();
      const { user, password } = dv.addUser();
      const good = { host: dv.host, port: dv.port, secure: false, user, password, tlsVerify: false };

      const dns = await test(t, { ...good, host: 'no-such-host.invalid' });
      assert.deepEqual([dns.success, dns.imap!.step], [false, 'dns']);
      assert.match(dns.imap!.message, /no-such-host\.invalid/);

      const tcp = await test(t, { ...good, port: await closedPort() });
      assert.deepEqual([tcp.success, tcp.imap!.step], [false, 'tcp']);
      assert.match(tcp.imap!.message, /refused/);

      const selfSigned = await test(t, { ...good, port: dv.tlsPort, secure: true, tlsVerify: true });
      assert.deepEqual([selfSigned.success, selfSigned.imap!.step], [false, 'tls']);
      assert.match(selfSigned.imap!.message, /certificate/);
      const tlsOnPlainPort = await test(t, { ...good, secure: true });
      assert.equal(tlsOnPlainPort.imap!.step, 'tls');

      const auth = await test(t, { ...good, password: 'wrong-password' }, { host: '127.0.0.1', port: smtpPort, secure: false, user: 'smtp-user', password: 'wrong' });
      assert.deepEqual([auth.success, auth.imap!.step, auth.smtp!.step], [false, 'auth', 'auth']);
      assert.match(auth.imap!.message, /password/);

      const folder = await test(t, { ...good, folder: 'Kundenpost' });
      assert.deepEqual([folder.success, folder.imap!.step], [false, 'folder']);
      assert.match(folder.imap!.message, /Kundenpost.*INBOX/);
    });

    it('a subchannel without mailbox settings is a 422, an unknown one a 404', async () => {
      const t = app();
      const created = await t.call('POST', '/api/mind/settings/subchannel', { channel: 'email', name: 'leer', data: { email: 'x@stadtwerke.example' } });
      const res = await t.call('POST', `/api/mind/settings/subchannel/${created.json().id}/test`, {});
      assert.equal(res.statusCode, 422, res.body);
      assert.equal((await t.call('POST', '/api/mind/settings/subchannel/999999/test', {})).statusCode, 404);
    });
  }, { MAIL_FETCH_ENABLED: 'false', MAIL_CONNECT_TIMEOUT_MS: '5000' });
} else {
  describe('the mailbox connection test', () => {
    it('skipped: no Dovecot on this machine', { skip: 'install dovecot-imapd (/usr/sbin/dovecot) to run the mail tests' }, () => {});
  });
}

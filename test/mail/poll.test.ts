import { it, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { newMessageId, rawMail } from './mails.js';

// A server without IDLE: the background watcher polls every MAIL_POLL_SECONDS instead.

const run = dovecotAvailable();
let dv: Dovecot;

if (run) {
  before(async () => { dv = await startDovecot({ idle: false }); });
  after(async () => { await dv?.stop(); });

  describeEachDb('the background fetcher on a server without IDLE', (app) => {
    it('polls: a new mail is stored by the next poll, and the watcher never IDLEs', async () => {
      const t = app();
      const { user, password } = dv.addUser();
      const sc = await t.call('POST', '/api/mind/settings/subchannel', { channel: 'email', name: 'Ohne IDLE', data: { imap: { host: dv.host, port: dv.port, secure: false, user, password, tlsVerify: false } } });
      const id = sc.json().id as number;
      const fetcher = t.services.mailFetcher;
      await fetcher.refresh();
      // The first pass has run (it records the position row) before the mail exists.
      await until(async () => (await t.ctx.db.kysely.selectFrom('mailbox_state').select('subchannel_id').where('subchannel_id', '=', id).executeTakeFirst()) !== undefined, 'the first pass');
      const messageId = newMessageId('poll');
      await dv.append(user, rawMail({ messageId, subject: 'Per Poll' }));
      let idled = false;
      await until(async () => {
        idled ||= fetcher.isIdling(id);
        return (await t.ctx.db.kysely.selectFrom('conversations').select('id').where('message_id', '=', messageId).executeTakeFirst()) !== undefined;
      }, 'the poll to store the mail');
      assert.equal(idled, false, 'no IDLE on a server without it');
      await fetcher.stop();
    });
  }, { MAIL_FETCH_ENABLED: 'true', MAIL_POLL_SECONDS: '1' });
} else {
  describe('the background fetcher on a server without IDLE', () => {
    it('skipped: no Dovecot on this machine', { skip: 'install dovecot-imapd (/usr/sbin/dovecot) to run the mail tests' }, () => {});
  });
}

async function until(fn: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

import { it, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, type TestApp } from '../helpers/app.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { markBounced } from '../../src/mail/bounces.js';
import { newMessageId } from './mails.js';

// A delivery report (DSN) of one of our replies: it opens no ticket, and it marks that reply's
// delivery failed (delivery_status / delivery_error, the reply path's columns).

const run = dovecotAvailable();
let dv: Dovecot;

/** An outgoing conversation with a Message-ID, as a sent reply has. */
async function sentReply(t: TestApp): Promise<{ ticketId: number; conversationId: number; messageId: string }> {
  const ticketId = await createTicket(t);
  const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store?process=false`, { direction: 'out', body: '<p>Unsere Antwort</p>', to: ['erika@kunde.example'] });
  assert.equal(res.statusCode, 200, res.body);
  const conversationId = res.json().conversationId as number;
  const messageId = newMessageId('reply');
  await t.ctx.db.kysely.updateTable('conversations').set({ message_id: messageId }).where('id', '=', conversationId).execute();
  return { ticketId, conversationId, messageId };
}

function dsn(originalMessageId: string): string {
  const b = 'dsn-boundary';
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.kunde.example>',
    'To: service@stadtwerke.example',
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <${newMessageId('dsn')}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain', '', 'Your message could not be delivered.',
    `--${b}`,
    'Content-Type: message/delivery-status', '',
    'Reporting-MTA: dns; mx.kunde.example', '',
    'Final-Recipient: rfc822; erika@kunde.example', 'Action: failed', 'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 <erika@kunde.example>: Recipient address rejected: User unknown',
    `--${b}`,
    'Content-Type: text/rfc822-headers', '',
    'From: service@stadtwerke.example', 'To: erika@kunde.example', 'Subject: Re: Zählerstand', `Message-ID: <${originalMessageId}>`,
    `--${b}--`, '',
  ].join('\r\n');
}

if (run) {
  before(async () => { dv = await startDovecot(); });
  after(async () => { await dv?.stop(); });

  describeEachDb('bounces of our replies', (app) => {
    it('a delivery report opens no ticket and is set aside as a bounce', async () => {
      const t = app();
      const { user, password } = dv.addUser();
      const sc = await t.call('POST', '/api/mind/settings/subchannel', { channel: 'email', name: 'Bounces', data: { imap: { host: dv.host, port: dv.port, secure: false, user, password, tlsVerify: false } } });
      const id = sc.json().id as number;
      const reply = await sentReply(t);
      const tickets = async () => Number((await t.ctx.db.kysely.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const before = await tickets();
      await dv.append(user, dsn(reply.messageId));
      const res = await t.call('POST', `/api/mind/webhook/fetchEmails/${id}`, {});
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual([res.json().mailboxes[0].stored, res.json().mailboxes[0].quarantined], [0, 1], res.body);
      assert.equal(await tickets(), before);
      const q = (await t.call('GET', `/api/mind/settings/subchannel/${id}/quarantine`)).json().items;
      assert.equal(q[0].kind, 'bounce');
    });

    it('the bounce marks the reply failed with the reason', async () => {
      const t = app();
      const { user, password } = dv.addUser();
      const sc = await t.call('POST', '/api/mind/settings/subchannel', { channel: 'email', name: 'Bounces 2', data: { imap: { host: dv.host, port: dv.port, secure: false, user, password, tlsVerify: false } } });
      const reply = await sentReply(t);
      await dv.append(user, dsn(reply.messageId));
      await t.call('POST', `/api/mind/webhook/fetchEmails/${sc.json().id}`, {});
      const row = await sql<{ delivery_status: string; delivery_error: string }>`select delivery_status, delivery_error from conversations where id = ${reply.conversationId}`.execute(t.ctx.db.kysely);
      assert.equal(row.rows[0]!.delivery_status, 'failed');
      assert.match(row.rows[0]!.delivery_error, /5\.1\.1.*User unknown/);
      // markBounced on its own: an incoming mail's Message-ID is never marked.
      assert.equal(await markBounced(t.ctx, newMessageId('unknown'), 'x'), 0);
    });
  }, { MAIL_FETCH_ENABLED: 'false' });
} else {
  describe('bounces of our replies', () => {
    it('skipped: no Dovecot on this machine', { skip: 'install dovecot-imapd (/usr/sbin/dovecot) to run the mail tests' }, () => {});
  });
}

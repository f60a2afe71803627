import assert from 'node:assert/strict';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { TestApp } from '../helpers/app.js';
import type { SmtpSink } from '../helpers/smtpSink.js';
import { jobsOf } from '../helpers/jobs.js';

export const MAILBOX_EMAIL = 'service@stadtwerke.example';
export const CUSTOMER = 'kunde@example.de';

/** An email subchannel whose SMTP settings point at the sink (STARTTLS and AUTH when the sink asks for them). */
export async function mailboxOn(t: TestApp, sink: SmtpSink, smtp: Record<string, unknown> = {}): Promise<number> {
  const res = await t.call('POST', '/api/mind/settings/subchannel', {
    channel: 'email',
    name: `Kundenservice ${sink.port}`,
    data: { email: MAILBOX_EMAIL, smtp: sink.smtpSettings({ fromName: 'Stadtwerke Kundenservice', ...smtp }) },
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().id as number;
}

/** A ticket on the mailbox with the customer's first mail. */
export async function ticketOn(t: TestApp, subchannelId: number, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'email', subchannelId, from: `Karl Kunde <${CUSTOMER}>`, subject: 'Zählerstand', body: '<p>Mein Zählerstand ist 12345.</p>', ...extra });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().id as number;
}

export async function reply(t: TestApp, ticketId: number, body: Record<string, unknown>) {
  return t.call('POST', `/api/mind/ticket/${ticketId}/conversation/reply`, body);
}

export async function conversation(t: TestApp, ticketId: number, id: number) {
  const res = await t.call('GET', `/api/mind/ticket/${ticketId}/conversation/${id}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().conversation as Record<string, any>;
}

/** Runs every job that is ready now (retries scheduled at once with SMTP_RETRY_BASE_MS=0). */
export async function drain(t: TestApp): Promise<void> {
  await t.services.jobRunner!.drainOnce();
}

export const parse = (raw: Buffer): Promise<ParsedMail> => simpleParser(raw, { skipImageLinks: true });

export async function counts(t: TestApp) {
  const k = t.ctx.db.kysely;
  const [c, j] = await Promise.all([
    k.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    jobsOf(t),
  ]);
  return { conversations: Number(c.n), jobs: j.length };
}

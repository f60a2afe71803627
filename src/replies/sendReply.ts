import type { AppContext } from '../context.js';
import type { ConversationRow, ConversationUpdate, DeliveryStatus } from '../db/schema.js';
import { RetryLater, type RunningJob as JobRow } from '../jobs/runner.js';
import { nowSeconds } from '../time.js';
import { fromJson } from '../db/json.js';
import { composeMail } from './composeMail.js';
import { smtpSend, SmtpSendError } from './smtpSend.js';
import { sendingMailbox } from './delivery.js';

/**
 * The send job of one reply, at most once per conversation:
 *   queued  → sending  committed before SMTP is spoken (the attempt started)
 *   sending → sent     committed after the server's 250, with its answer
 * A job that finds `sending` belongs to an attempt whose process stopped between those two
 * commits: the mail may have gone out, and nothing here can tell (the SMTP server's log is not
 * ours to read, and an IMAP search of the Sent folder would not see a mail the server relayed
 * but never filed), so it is failed with that reason instead of sent a second time. A person
 * checks the customer's mailbox and resends (POST …/conversation/{id}/send keeps the Message-ID,
 * so a mail client that got the first one files the second as the same message).
 */

export const UNKNOWN_OUTCOME = "unknown: the process stopped while sending; check the customer's mailbox, then resend";

export function sendReplyTask(ctx: AppContext) {
  return async (payload: { conversationId: number }, job: JobRow): Promise<void> => {
    const { db, config } = ctx;
    const row = await db.kysely.selectFrom('conversations').selectAll().where('id', '=', payload.conversationId).executeTakeFirst();
    if (!row || row.deleted_at !== null) return;
    if (row.delivery_status === 'sending') {
      await settle(ctx, row.id, 'sending', { delivery_status: 'failed', delivery_error: UNKNOWN_OUTCOME });
      return;
    }
    if (row.delivery_status !== 'queued') return; // sent, failed, or published elsewhere: nothing to do

    const mailbox = await sendingMailbox(ctx, row.subchannel_id).catch(() => null);
    if (!mailbox || !row.message_id) {
      await settle(ctx, row.id, 'queued', { delivery_status: 'failed', delivery_error: `not sent: subchannel ${row.subchannel_id ?? 'none'} has no SMTP settings and address any more` });
      return;
    }
    const wait = await rateLimitWaitMs(ctx, row.subchannel_id!);
    if (wait > 0) {
      // Deferred, not failed: handed back to run at the next free minute, so waiting uses up no attempt.
      const waiting = `waiting: mailbox ${row.subchannel_id} sent ${config.SMTP_MAX_PER_MINUTE} replies in the last minute (SMTP_MAX_PER_MINUTE)`;
      await settle(ctx, row.id, 'queued', { delivery_error: waiting });
      throw new RetryLater(waiting, wait);
    }
    // A database error here throws: the job retries with the reply still queued.
    const thread = await threadOf(ctx, row);
    let mail;
    try {
      mail = await composeMail({
        from: { name: mailbox.smtp.fromName, address: mailbox.email },
        to: fromJson<string[]>(row.to_emails, []),
        cc: fromJson<string[]>(row.cc_emails, []),
        bcc: fromJson<string[]>(row.bcc_emails, []),
        subject: row.subject ?? '',
        html: row.body,
        text: row.body_plain,
        messageId: row.message_id,
        ...thread,
        attachments: await attachmentsOf(ctx, row.id),
      });
    } catch (err) {
      await settle(ctx, row.id, 'queued', { delivery_status: 'failed', delivery_error: `not sent: the message could not be built: ${(err as Error).message}`.slice(0, 2000) });
      return;
    }

    // The attempt starts: from this commit on, a stop of the process leaves `sending` behind.
    if (!(await settle(ctx, row.id, 'queued', { delivery_status: 'sending' }))) return;
    let result;
    try {
      result = await smtpSend(mailbox.smtp, mail.envelope, mail.raw, {
        connectionMs: config.SMTP_CONNECTION_TIMEOUT_MS,
        greetingMs: config.SMTP_GREETING_TIMEOUT_MS,
        socketMs: config.SMTP_SOCKET_TIMEOUT_MS,
      });
    } catch (err) {
      await recordFailure(ctx, row, job, err);
      return;
    }
    // Test-only (NODE_ENV=test): the crash between the server's 250 and our commit, on purpose.
    if (config.REPLY_TEST_KILL_AFTER_SMTP && config.NODE_ENV === 'test') process.kill(process.pid, 'SIGKILL');
    await settle(ctx, row.id, 'sending', {
      delivery_status: 'sent',
      smtp_response: result.response,
      sent_at: nowSeconds(),
      delivery_error: result.rejected.length ? `the server refused ${result.rejected.length} recipient(s): ${result.rejected.join(', ')}`.slice(0, 2000) : null,
    });
  };
}

/** Moves the delivery on only from the state this attempt expects; false if another got there first. */
async function settle(ctx: AppContext, id: number, from: DeliveryStatus, set: ConversationUpdate): Promise<boolean> {
  const res = await ctx.db.kysely.updateTable('conversations').set({ ...set, modified_at: nowSeconds() })
    .where('id', '=', id).where('delivery_status', '=', from).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * 5xx: the server refused for good, failed at once. 4xx, or a network error before the message
 * was handed over: not sent, retried with backoff until SMTP_MAX_ATTEMPTS. A broken connection
 * after it was handed over, with no answer: may have gone out, failed as unknown (not resent).
 */
async function recordFailure(ctx: AppContext, row: ConversationRow, job: JobRow, err: unknown): Promise<void> {
  const e = err instanceof SmtpSendError ? err : new SmtpSendError(String((err as Error)?.message ?? err), null, null, true);
  const said = e.response ?? e.message;
  if (e.responseCode !== null && e.responseCode >= 500) {
    await settle(ctx, row.id, 'sending', { delivery_status: 'failed', delivery_error: `refused by the SMTP server: ${said}`.slice(0, 2000), smtp_response: e.response });
    return;
  }
  // Our own message or envelope is wrong for this server (larger than its SIZE, no valid
  // recipient): no attempt can succeed.
  if (e.responseCode === null && (e.code === 'EMESSAGE' || e.code === 'EENVELOPE') && !e.duringData) {
    await settle(ctx, row.id, 'sending', { delivery_status: 'failed', delivery_error: `not sent: ${e.message}`.slice(0, 2000) });
    return;
  }
  if (e.responseCode === null && e.duringData) {
    await settle(ctx, row.id, 'sending', { delivery_status: 'failed', delivery_error: `unknown: the connection broke while the message was being handed over (${e.message}); check the customer's mailbox, then resend`.slice(0, 2000) });
    return;
  }
  if (job.attempts >= job.max_attempts) {
    await settle(ctx, row.id, 'sending', { delivery_status: 'failed', delivery_error: `not sent after ${job.attempts} attempts: ${said}`.slice(0, 2000), smtp_response: e.response });
    return;
  }
  await settle(ctx, row.id, 'sending', { delivery_status: 'queued', delivery_error: `attempt ${job.attempts} not sent, retrying: ${said}`.slice(0, 2000), smtp_response: e.response });
  throw new RetryLater(`SMTP attempt ${job.attempts}: ${said}`, retryDelayMs(ctx.config.SMTP_RETRY_BASE_MS, job.attempts), { spendsAttempt: true });
}

/** SMTP_RETRY_BASE_MS doubling per attempt, with jitter, capped at one hour. */
export function retryDelayMs(baseMs: number, attempt: number): number {
  const cap = Math.min(3_600_000, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

/**
 * In-Reply-To is the customer's latest mail before this reply (what a mail client threads
 * under); References the thread's Message-IDs in order, ending with it (composeMail caps them).
 */
async function threadOf(ctx: AppContext, row: ConversationRow): Promise<{ inReplyTo: string | null; references: string[] }> {
  const earlier = await ctx.db.kysely.selectFrom('conversations').select(['message_id', 'direction'])
    .where('ticket_id', '=', row.ticket_id).where('id', '<', row.id).where('message_id', 'is not', null).where('deleted_at', 'is', null)
    .orderBy('created_at').orderBy('id').execute();
  const ids = earlier.map((c) => c.message_id!);
  const parent = [...earlier].reverse().find((c) => c.direction === 'in')?.message_id ?? ids[ids.length - 1] ?? null;
  const references = parent ? [...ids.filter((id) => id !== parent), parent] : ids;
  return { inReplyTo: parent, references };
}

async function attachmentsOf(ctx: AppContext, conversationId: number) {
  const rows = await ctx.db.kysely.selectFrom('attachments').selectAll().where('conversation_id', '=', conversationId).orderBy('position').execute();
  const out = [];
  for (const row of rows) {
    if (!row.blob_key) continue;
    out.push({ row, content: await ctx.blobs.read(row.blob_key) });
  }
  return out;
}

/**
 * Time until this mailbox may send again under SMTP_MAX_PER_MINUTE (0: now). Counted from the
 * sends the database holds, so it holds across processes — approximately: two processes can
 * both see the last free slot.
 */
async function rateLimitWaitMs(ctx: AppContext, subchannelId: number): Promise<number> {
  const limit = ctx.config.SMTP_MAX_PER_MINUTE;
  if (limit === 0) return 0;
  const since = nowSeconds() - 60;
  const recent = await ctx.db.kysely.selectFrom('conversations').select('sent_at')
    .where('subchannel_id', '=', subchannelId).where('sent_at', 'is not', null).where('sent_at', '>', since)
    .orderBy('sent_at', 'desc').limit(limit).execute();
  if (recent.length < limit) return 0;
  const oldest = recent[recent.length - 1]!.sent_at!;
  return Math.max(1000, (oldest - since) * 1000);
}

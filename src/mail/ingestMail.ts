import type { ParsedMail } from 'mailparser';
import type { AppContext } from '../context.js';
import type { Actor } from '../auth/actor.js';
import { DomainError } from '../errors.js';
import { isUniqueViolation } from '../db/dialect.js';
import { nowSeconds } from '../time.js';
import { prepareMessage } from '../conversations/prepareMessage.js';
import { insertConversation, messageReferences } from '../conversations/insertConversation.js';
import { storeAttachments } from '../attachments/storeAttachments.js';
import { lockTicket } from '../tickets/readTickets.js';
import { insertTicket } from '../tickets/createTicket.js';
import { advancePosition } from './mailboxLease.js';
import { quarantine, type QuarantineEntry } from './quarantine.js';
import { normalizeMessageId, syntheticMessageId, threadReferences } from './messageIds.js';
import { classifyMachineMail } from './autoReply.js';
import { bouncedMessageIds, bounceReason, markBounced } from './bounces.js';
import { findThreadTicket } from './threading.js';
import { mailToStoreInput } from './mailToMessage.js';
import { parseMail } from './parseMail.js';
import { testHangInsideStore } from './testHooks.js';

/**
 * One fetched mail through the store use case — the same steps as POST …/conversation/store and
 * ticket create (prepareMessage, storeAttachments, insertConversation: AI job, events, hooks) —
 * and the mailbox position advanced past it in the SAME transaction, so a crash at any point
 * either keeps both or neither: the mail is refetched and stored exactly once.
 *
 * Outcomes: stored (on a thread's ticket or a new one), duplicate (its Message-ID is stored
 * already), or set aside (quarantine: poison, too large, auto-reply, list, bounce). A 4xx-class
 * refusal of the store is poison; anything else (database down) throws and the position stays,
 * so the mail is tried again on the next pass.
 */

/** Who fetched mail is stored as: no agent (events say userId 0, the system). */
export const MAIL_ACTOR: Actor = { agentId: 0, role: 'integration', via: 'apiKey' };

export interface FetchedMail {
  subchannelId: number;
  uidValidity: string;
  uid: number;
  size: number;
  /** null: not downloaded (larger than MAIL_MAX_BYTES) */
  raw: Buffer | null;
}

export type IngestOutcome =
  | { outcome: 'stored'; ticketId: number; conversationId: number; newTicket: boolean; messageId: string }
  | { outcome: 'duplicate'; messageId: string }
  | { outcome: 'quarantined'; kind: QuarantineEntry['kind']; error: string; messageId: string | null };

export interface IngestOptions {
  owner: string;
  leaseMs: number;
}

export async function ingestMail(ctx: AppContext, mail: FetchedMail, opts: IngestOptions): Promise<IngestOutcome> {
  const base = { subchannelId: mail.subchannelId, uidvalidity: mail.uidValidity, uid: mail.uid, size: mail.size };
  if (!mail.raw) {
    const error = `the mail has ${mail.size} bytes; at most ${ctx.config.MAIL_MAX_BYTES} are fetched (MAIL_MAX_BYTES)`;
    return setAside(ctx, opts, { ...base, messageId: null, kind: 'too_large', error, rawBlobHash: null });
  }
  const { key: rawKey } = await ctx.blobs.put(mail.raw);
  let parsed: ParsedMail;
  try {
    parsed = await parseMail(mail.raw);
  } catch (err) {
    return setAside(ctx, opts, { ...base, messageId: null, kind: 'poison', error: `cannot be parsed: ${(err as Error).message}`, rawBlobHash: rawKey });
  }
  const messageId = normalizeMessageId(parsed.messageId) ?? syntheticMessageId(mail.subchannelId, mail.uidValidity, mail.uid);
  const fromAddress = parsed.from?.value[0]?.address ?? null;

  const machine = classifyMachineMail(parsed.headers, fromAddress);
  if (machine) {
    const outcome = await setAside(ctx, opts, { ...base, messageId, kind: machine.kind, error: machine.reason, rawBlobHash: rawKey });
    if (machine.kind === 'bounce') await markBouncedReplies(ctx, parsed);
    return outcome;
  }

  let msg, files;
  try {
    msg = await prepareMessage(mailToStoreInput(parsed, { subchannelId: mail.subchannelId, uidValidity: mail.uidValidity, uid: mail.uid, messageId }), undefined, ctx.config.MESSAGE_BODY_MAX_CHARS);
    files = await storeAttachments(ctx, msg.attachments, msg);
  } catch (err) {
    if (isClientError(err)) return setAside(ctx, opts, { ...base, messageId, kind: 'poison', error: describe(err), rawBlobHash: rawKey });
    throw err;
  }
  const refs = threadReferences(parsed.inReplyTo, parsed.references);

  try {
    const stored = await ctx.db.writeTransaction(async (trx) => {
      await advancePosition(trx, mail.subchannelId, opts.owner, mail.uidValidity, mail.uid, opts.leaseMs);
      const existing = await trx.selectFrom('conversations').select('id').where('message_id', '=', messageId).executeTakeFirst();
      if (existing) return null;
      const threadId = await findThreadTicket(trx, refs, msg.subject, msg.fromEmail);
      const insertOpts = { maxAttempts: ctx.config.JOB_MAX_ATTEMPTS, realtimeBudgetMs: ctx.config.REALTIME_BUDGET_MS, messageId };
      let ticket = threadId === null ? undefined : await lockTicket(trx, ctx.db.kind, threadId);
      let inserted;
      if (ticket) {
        inserted = await insertConversation(trx, ticket, msg, files, MAIL_ACTOR, insertOpts);
      } else {
        const references = await messageReferences(trx, 'email', msg, MAIL_ACTOR);
        ticket = (await insertTicket(trx, { channel: 'email', subchannelId: mail.subchannelId, msg }))!;
        inserted = await insertConversation(trx, ticket, msg, files, MAIL_ACTOR, { ...insertOpts, isNewTicket: true, references });
      }
      await trx.insertInto('mail_messages').values({
        conversation_id: inserted.conversation.id, subchannel_id: mail.subchannelId, uidvalidity: mail.uidValidity,
        uid: mail.uid, raw_blob_key: rawKey, size: mail.raw!.length, created_at: nowSeconds(),
      }).execute();
      await testHangInsideStore();
      return { ticketId: ticket.id, conversationId: inserted.conversation.id, newTicket: threadId === null || ticket.id !== threadId };
    });
    if (!stored) return { outcome: 'duplicate', messageId };
    ctx.notifyJobs();
    return { outcome: 'stored', messageId, ...stored };
  } catch (err) {
    // The same Message-ID committed meanwhile by another writer (the same mail in two mailboxes):
    // stored once; only the position moves.
    if (isUniqueViolation(err)) {
      await ctx.db.writeTransaction((trx) => advancePosition(trx, mail.subchannelId, opts.owner, mail.uidValidity, mail.uid, opts.leaseMs));
      return { outcome: 'duplicate', messageId };
    }
    if (isClientError(err)) return setAside(ctx, opts, { ...base, messageId, kind: 'poison', error: describe(err), rawBlobHash: rawKey });
    throw err;
  }
}

async function setAside(ctx: AppContext, opts: IngestOptions, e: QuarantineEntry): Promise<IngestOutcome> {
  await ctx.db.writeTransaction(async (trx) => {
    await advancePosition(trx, e.subchannelId, opts.owner, e.uidvalidity, e.uid, opts.leaseMs);
    await quarantine(trx, e);
  });
  ctx.log.warn({ subchannelId: e.subchannelId, uid: e.uid, kind: e.kind, messageId: e.messageId, reason: e.error }, 'fetched mail set aside');
  return { outcome: 'quarantined', kind: e.kind, error: e.error, messageId: e.messageId };
}

/** A bounce of one of our replies marks it failed. Outside the fetch transaction: the columns are the reply path's. */
async function markBouncedReplies(ctx: AppContext, parsed: ParsedMail): Promise<void> {
  const reason = bounceReason(parsed);
  for (const id of bouncedMessageIds(parsed).slice(0, 20)) {
    try {
      await markBounced(ctx, id, reason);
    } catch (err) {
      ctx.log.warn({ err, messageId: id }, 'could not mark the bounced reply failed');
    }
  }
}

function isClientError(err: unknown): err is DomainError {
  return err instanceof DomainError && err.statusCode >= 400 && err.statusCode < 500;
}

function describe(err: DomainError): string {
  return `the store refused it (${err.statusCode} ${err.code}): ${err.message}`;
}

import { ImapFlow } from 'imapflow';
import type { AppContext } from '../context.js';
import { imapClientOptions, type Mailbox } from './mailboxSettings.js';
import { advancePosition, readPosition, resetPosition } from './mailboxLease.js';
import { ingestMail, type IngestOutcome } from './ingestMail.js';

/**
 * One fetch pass over one mailbox, on a connected client, by the holder of its lease: the new
 * UIDs (above the committed last UID, under the same UIDVALIDITY) in order, at most `budget` of
 * them, each downloaded (unless larger than MAIL_MAX_BYTES) and stored through ingestMail, whose
 * transaction also moves the position. A UIDVALIDITY change means the folder's UIDs were
 * reassigned: the pass starts over at UID 1 and Message-IDs keep what is stored already once.
 */

export interface PassResult {
  stored: number;
  duplicates: number;
  quarantined: number;
  /** new mail left in the folder for the next pass (budget reached) */
  more: boolean;
  outcomes: IngestOutcome[];
}

/** A client for the mailbox: timeouts from MAIL_CONNECT_TIMEOUT_MS, literals capped just above MAIL_MAX_BYTES. */
export function mailboxClient(ctx: AppContext, mailbox: Mailbox): ImapFlow {
  const t = ctx.config.MAIL_CONNECT_TIMEOUT_MS;
  const client = new ImapFlow({
    ...imapClientOptions(mailbox.imap!),
    connectionTimeout: t,
    greetingTimeout: t,
    socketTimeout: Math.max(5 * 60_000, t),
    maxLiteralSize: ctx.config.MAIL_MAX_BYTES + 64 * 1024,
    maxResponseSize: ctx.config.MAIL_MAX_BYTES + 1024 * 1024,
  });
  // imapflow emits 'error' on a broken connection; unhandled, it would end the process.
  client.on('error', (err: Error) => ctx.log.debug({ err, subchannelId: mailbox.subchannelId }, 'mailbox connection error'));
  return client;
}

export async function fetchPass(ctx: AppContext, client: ImapFlow, mailbox: Mailbox, opts: { owner: string; leaseMs: number; budget: number }): Promise<PassResult> {
  const id = mailbox.subchannelId;
  const lock = await client.getMailboxLock(mailbox.imap!.folder);
  const result: PassResult = { stored: 0, duplicates: 0, quarantined: 0, more: false, outcomes: [] };
  try {
    // The poll: a server reports new mail (EXISTS) only in answer to a command — or in IDLE. On a
    // connection kept open, the folder's counts are stale until then.
    await client.noop();
    const box = client.mailbox;
    if (!box) throw new Error(`folder ${mailbox.imap!.folder} is not open`);
    const uidValidity = String(box.uidValidity);
    let pos = await readPosition(ctx.db, id);
    if (pos.uidvalidity !== null && pos.uidvalidity !== uidValidity) {
      ctx.log.warn({ subchannelId: id, was: pos.uidvalidity, now: uidValidity }, 'UIDVALIDITY of the mailbox changed: refetching it, stored Message-IDs are not stored again');
      await resetPosition(ctx.db, id, opts.owner, uidValidity);
      pos = { uidvalidity: uidValidity, lastUid: 0 };
    }
    if (box.exists === 0) return result;
    const fresh: Array<{ uid: number; size: number }> = [];
    // `N:*` always answers the folder's last message, even when its UID is below N: filtered.
    for await (const m of client.fetch(`${pos.lastUid + 1}:*`, { uid: true, size: true }, { uid: true })) {
      if (m.uid > pos.lastUid) fresh.push({ uid: m.uid, size: m.size ?? 0 });
    }
    fresh.sort((a, b) => a.uid - b.uid);
    result.more = fresh.length > opts.budget;
    for (const m of fresh.slice(0, opts.budget)) {
      let raw: Buffer | null = null;
      if (m.size <= ctx.config.MAIL_MAX_BYTES) {
        const got = await client.fetchOne(String(m.uid), { uid: true, source: true }, { uid: true });
        if (!got || !got.source) {
          // Expunged since the listing: nothing to store, the position moves past it.
          await ctx.db.writeTransaction((trx) => advancePosition(trx, id, opts.owner, uidValidity, m.uid, opts.leaseMs));
          continue;
        }
        raw = got.source;
      }
      const outcome = await ingestMail(ctx, { subchannelId: id, uidValidity, uid: m.uid, size: raw?.length ?? m.size, raw }, opts);
      result.outcomes.push(outcome);
      if (outcome.outcome === 'stored') result.stored++;
      else if (outcome.outcome === 'duplicate') result.duplicates++;
      else result.quarantined++;
    }
    return result;
  } finally {
    lock.release();
  }
}

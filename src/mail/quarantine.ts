import type { Transaction } from 'kysely';
import type { Db } from '../db/dialect.js';
import type { Database, MailQuarantineTable } from '../db/schema.js';
import { nowSeconds } from '../time.js';

/**
 * Mail set aside instead of stored, with why: poison (cannot be parsed, or the store refused it
 * with a 4xx-class error), too large, or machine mail that never opens a ticket (auto-reply,
 * list, bounce). Written in the same transaction that advances the mailbox past the mail, so a
 * bad mail never blocks the ones behind it.
 */
export interface QuarantineEntry {
  subchannelId: number;
  uidvalidity: string;
  uid: number;
  messageId: string | null;
  kind: MailQuarantineTable['kind'];
  error: string;
  rawBlobHash: string | null;
  size: number;
}

export async function quarantine(trx: Transaction<Database>, e: QuarantineEntry): Promise<void> {
  await trx.insertInto('mail_quarantine').values({
    subchannel_id: e.subchannelId, uidvalidity: e.uidvalidity, uid: e.uid, message_id: e.messageId?.slice(0, 998) ?? null,
    kind: e.kind, error: e.error.slice(0, 2000), raw_blob_hash: e.rawBlobHash, size: e.size, created_at: nowSeconds(),
  }).execute();
}

export async function listQuarantine(db: Db, subchannelId: number, limit: number, offset: number) {
  const rows = await db.kysely.selectFrom('mail_quarantine').selectAll().where('subchannel_id', '=', subchannelId)
    .orderBy('id', 'desc').limit(limit).offset(offset).execute();
  return rows.map((r) => ({
    id: r.id, subchannelId: r.subchannel_id, uidValidity: r.uidvalidity, uid: Number(r.uid), messageId: r.message_id,
    kind: r.kind, error: r.error, rawBlobHash: r.raw_blob_hash, size: Number(r.size),
    createdAt: new Date(Number(r.created_at) * 1000).toISOString(),
  }));
}

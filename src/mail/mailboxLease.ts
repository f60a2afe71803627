import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { nowSeconds } from '../time.js';

/**
 * One mailbox is fetched by one process at a time: a lease row in mailbox_state. A process takes
 * it when it is free, its own, or expired (its holder died); every stored mail renews it, and the
 * position is only ever advanced by the lease's owner (advancePosition checks it in the same
 * transaction), so a process whose lease ran out cannot commit behind its successor.
 */

/** The lease was taken over by another process (this one stalled past MAIL_LEASE_SECONDS). */
export class LeaseLost extends Error {
  constructor(subchannelId: number) {
    super(`the fetch lease of mailbox ${subchannelId} is held by another process`);
  }
}

export interface MailboxPosition {
  uidvalidity: string | null;
  lastUid: number;
}

async function ensureRow(db: Kysely<Database>, subchannelId: number): Promise<void> {
  await db.insertInto('mailbox_state').values({ subchannel_id: subchannelId, last_uid: 0 })
    .onConflict((oc) => oc.column('subchannel_id').doNothing()).execute();
}

/** Takes (or renews) the lease; false when another live process holds it. */
export async function acquireLease(db: Db, subchannelId: number, owner: string, leaseMs: number): Promise<boolean> {
  await ensureRow(db.kysely, subchannelId);
  const now = Date.now();
  const res = await db.kysely.updateTable('mailbox_state')
    .set({ lease_owner: owner, lease_until: now + leaseMs })
    .where('subchannel_id', '=', subchannelId)
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('lease_until', '<', now)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Renews a lease this process holds; false when it was lost. */
export async function renewLease(db: Db, subchannelId: number, owner: string, leaseMs: number): Promise<boolean> {
  const res = await db.kysely.updateTable('mailbox_state').set({ lease_until: Date.now() + leaseMs })
    .where('subchannel_id', '=', subchannelId).where('lease_owner', '=', owner).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function releaseLease(db: Db, subchannelId: number, owner: string): Promise<void> {
  await db.kysely.updateTable('mailbox_state').set({ lease_owner: null, lease_until: null })
    .where('subchannel_id', '=', subchannelId).where('lease_owner', '=', owner).execute();
}

/** SQLite only (one process): the leases a dead earlier process left behind. */
export async function releaseLeasesOfOthers(db: Db, owner: string): Promise<void> {
  await db.kysely.updateTable('mailbox_state').set({ lease_owner: null, lease_until: null })
    .where('lease_owner', 'is not', null).where('lease_owner', '<>', owner).execute();
}

export async function readPosition(db: Db, subchannelId: number): Promise<MailboxPosition> {
  const row = await db.kysely.selectFrom('mailbox_state').select(['uidvalidity', 'last_uid']).where('subchannel_id', '=', subchannelId).executeTakeFirst();
  return { uidvalidity: row?.uidvalidity ?? null, lastUid: Number(row?.last_uid ?? 0) };
}

/**
 * Moves the position to `uid` (under `uidvalidity`) inside the caller's transaction — the one that
 * wrote what this mail produced — and renews the lease. Throws LeaseLost (rolling that
 * transaction back) when this process no longer holds the lease. The first statement of the
 * transaction on purpose: on PostgreSQL its row lock orders concurrent writers of the mailbox.
 */
export async function advancePosition(trx: Transaction<Database>, subchannelId: number, owner: string, uidvalidity: string, uid: number, leaseMs: number): Promise<void> {
  const res = await trx.updateTable('mailbox_state')
    .set({ uidvalidity, last_uid: uid, lease_until: Date.now() + leaseMs, last_error: null, last_fetch_at: nowSeconds() })
    .where('subchannel_id', '=', subchannelId).where('lease_owner', '=', owner)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new LeaseLost(subchannelId);
}

/** UIDVALIDITY changed (the folder was recreated): start over from UID 0; Message-IDs dedupe the refetch. */
export async function resetPosition(db: Db, subchannelId: number, owner: string, uidvalidity: string): Promise<void> {
  const res = await db.kysely.updateTable('mailbox_state').set({ uidvalidity, last_uid: 0 })
    .where('subchannel_id', '=', subchannelId).where('lease_owner', '=', owner).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new LeaseLost(subchannelId);
}

export async function recordFetchError(db: Db, subchannelId: number, error: string | null): Promise<void> {
  await ensureRow(db.kysely, subchannelId);
  await db.kysely.updateTable('mailbox_state').set({ last_error: error?.slice(0, 2000) ?? null, last_fetch_at: nowSeconds() })
    .where('subchannel_id', '=', subchannelId).execute();
}

import type { Db } from '../db/dialect.js';
import { Conflict, NotFound } from '../errors.js';
import { nowSeconds } from '../time.js';

export async function listSubchannels(db: Db) {
  const rows = await db.kysely.selectFrom('subchannels').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    name: r.name,
    isDefault: r.is_default === 1,
    interface: r.interface,
    enabled: r.enabled === 1,
    data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>),
  }));
}

export async function createSubchannel(
  db: Db,
  b: { channel: string; name: string; isDefault?: boolean | null; interface?: string | null; enabled?: boolean | null; data?: Record<string, unknown> | null },
): Promise<number> {
  return db.kysely.transaction().execute(async (trx) => {
    // One default per channel: a new default takes the flag from the old one.
    if (b.isDefault) await trx.updateTable('subchannels').set({ is_default: 0 }).where('channel', '=', b.channel).execute();
    const row = await trx
      .insertInto('subchannels')
      .values({
        channel: b.channel,
        name: b.name,
        is_default: b.isDefault ? 1 : 0,
        interface: b.interface ?? 'internal',
        enabled: b.enabled === false ? 0 : 1,
        data: b.data ? JSON.stringify(b.data) : null,
        created_at: nowSeconds(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

export async function deleteSubchannel(db: Db, id: number): Promise<void> {
  const used = await db.kysely.selectFrom('tickets').select('id').where('subchannel_id', '=', id).limit(1).executeTakeFirst();
  if (used) throw new Conflict(`subchannel ${id} is used by tickets; disable it instead`, 'id');
  const res = await db.kysely.deleteFrom('subchannels').where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFound('subchannel', id, 'id');
}

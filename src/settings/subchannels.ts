import type { Db } from '../db/dialect.js';
import { Conflict, NotFound } from '../errors.js';
import { prepareSubchannelData, redactSubchannelData } from '../mail/mailboxSettings.js';
import type { SecretBox } from '../secrets/secretBox.js';
import { nowSeconds } from '../time.js';

export interface SubchannelInput {
  channel: string;
  name: string;
  isDefault?: boolean | null;
  interface?: string | null;
  enabled?: boolean | null;
  data?: Record<string, unknown> | null;
}

/** Every subchannel as answers show it: mailbox passwords are never returned (`passwordSet` instead). */
export async function listSubchannels(db: Db) {
  const rows = await db.kysely.selectFrom('subchannels').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    name: r.name,
    isDefault: r.is_default === 1,
    interface: r.interface,
    enabled: r.enabled === 1,
    data: redactSubchannelData(r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>)),
  }));
}

export async function getSubchannel(db: Db, id: number) {
  const found = (await listSubchannels(db)).find((s) => s.id === id);
  if (!found) throw new NotFound('subchannel', id, 'id');
  return found;
}

export async function createSubchannel(db: Db, box: SecretBox, b: SubchannelInput): Promise<number> {
  const data = prepareSubchannelData(box, b.channel, b.data, null);
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
        data: data ? JSON.stringify(data) : null,
        created_at: nowSeconds(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

/** PATCH: the fields given replace the stored ones; `data` replaces the whole object, but a mailbox password left out is kept. */
export async function updateSubchannel(db: Db, box: SecretBox, id: number, b: { name?: string | null; isDefault?: boolean | null; interface?: string | null; enabled?: boolean | null; data?: Record<string, unknown> | null }): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('subchannels').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound('subchannel', id, 'id');
    const previous = row.data === null ? null : (JSON.parse(row.data) as Record<string, unknown>);
    const data = prepareSubchannelData(box, row.channel, b.data, previous);
    if (b.isDefault) await trx.updateTable('subchannels').set({ is_default: 0 }).where('channel', '=', row.channel).execute();
    await trx.updateTable('subchannels').set({
      ...(b.name != null ? { name: b.name } : {}),
      ...(b.isDefault != null ? { is_default: b.isDefault ? 1 : 0 } : {}),
      ...(b.interface != null ? { interface: b.interface } : {}),
      ...(b.enabled != null ? { enabled: b.enabled ? 1 : 0 } : {}),
      data: data ? JSON.stringify(data) : null,
    }).where('id', '=', id).execute();
  });
}

export async function deleteSubchannel(db: Db, id: number): Promise<void> {
  const used = await db.kysely.selectFrom('tickets').select('id').where('subchannel_id', '=', id).limit(1).executeTakeFirst();
  if (used) throw new Conflict(`subchannel ${id} is used by tickets; disable it instead`, 'id');
  const res = await db.kysely.deleteFrom('subchannels').where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFound('subchannel', id, 'id');
}

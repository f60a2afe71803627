import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { Invalid } from '../errors.js';

/** Replaces a ticket's tags; unknown tag ids are a 422 naming the entry. */
export async function setTicketTags(trx: Transaction<Database>, ticketId: number, tagIds: number[], field: string) {
  const wanted = [...new Set(tagIds)];
  await assertTagsExist(trx, wanted, field, tagIds);
  const current = (await trx.selectFrom('ticket_tags').select('tag_id').where('ticket_id', '=', ticketId).execute()).map((r) => r.tag_id);
  const toAdd = wanted.filter((t) => !current.includes(t));
  const toRemove = current.filter((t) => !wanted.includes(t));
  if (toRemove.length) await trx.deleteFrom('ticket_tags').where('ticket_id', '=', ticketId).where('tag_id', 'in', toRemove).execute();
  if (toAdd.length) await trx.insertInto('ticket_tags').values(toAdd.map((tag_id) => ({ ticket_id: ticketId, tag_id }))).execute();
  return { changed: toAdd.length + toRemove.length > 0 };
}

export async function addRemoveTicketTags(trx: Transaction<Database>, ticketId: number, add: number[], remove: number[]) {
  await assertTagsExist(trx, add, 'addTagIds', add);
  const current = (await trx.selectFrom('ticket_tags').select('tag_id').where('ticket_id', '=', ticketId).execute()).map((r) => r.tag_id);
  const next = [...new Set([...current.filter((t) => !remove.includes(t)), ...add])];
  return setTicketTags(trx, ticketId, next, 'tagIds');
}

async function assertTagsExist(trx: Transaction<Database>, ids: number[], field: string, original: number[]) {
  if (ids.length === 0) return;
  const found = new Set((await trx.selectFrom('tags').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
  const i = original.findIndex((id) => !found.has(id));
  if (i >= 0) throw new Invalid(`${field}[${i}]`, `tag ${original[i]} does not exist (GET /api/mind/tag)`, 'unknown_tag');
}

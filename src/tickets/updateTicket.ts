import type { Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import type { Actor } from '../auth/actor.js';
import type { Database } from '../db/schema.js';
import { Invalid, NotFound } from '../errors.js';
import { nowSeconds } from '../time.js';
import { recordEvent } from '../events/eventLog.js';
import { parseTicketDates, planTicketChanges } from './rules.js';
import { addRemoveTicketTags, setTicketTags } from './tags.js';
import { loadTicket, lockTicket } from './readTickets.js';
import { checkReferences } from './references.js';
import type { TicketPatchBody } from '../http/schemas/ticket.js';

/** PATCH /ticket/{id}: one ticket; records a TicketUpdated event with Enneo's payload. */
export async function updateTicket(ctx: AppContext, id: number, patch: TicketPatchBody, actor: Actor) {
  await ctx.db.kysely.transaction().execute((trx) => applyPatch(ctx, trx, id, patch, actor, 'ticketId'));
  return loadTicket(ctx.db, id);
}

/** PATCH /ticket with an array: all or nothing, errors name the array entry. */
export async function updateTickets(ctx: AppContext, patches: Array<TicketPatchBody & { id: number }>, actor: Actor) {
  const ids = new Set<number>();
  patches.forEach((p, i) => {
    if (ids.has(p.id)) throw new Invalid(`[${i}].id`, `ticket ${p.id} appears twice`);
    ids.add(p.id);
  });
  await ctx.db.kysely.transaction().execute(async (trx) => {
    for (const [i, p] of patches.entries()) {
      try {
        await applyPatch(ctx, trx, p.id, p, actor, `[${i}].id`);
      } catch (err) {
        if (err instanceof Invalid && err.field && !err.field.startsWith('[')) throw new Invalid(`[${i}].${err.field}`, err.message.replace(/^[^:]*: /, ''), err.code);
        throw err;
      }
    }
  });
  return { success: true, updated: patches.length };
}

async function applyPatch(ctx: AppContext, trx: Transaction<Database>, id: number, patch: TicketPatchBody, actor: Actor, idField: string) {
  const ticket = await lockTicket(trx, ctx.db.kind, id);
  if (!ticket) throw new NotFound('ticket', id, idField);
  await checkReferences(trx, { agentId: patch.agentId });
  const workedOnBy = patch.workedOnBy === undefined ? undefined : patch.workedOnBy === null ? null : String(JSON.stringify(patch.workedOnBy));
  const { update, changes } = planTicketChanges(ticket, { ...patch, ...parseTicketDates(patch), workedOnBy }, { explicitNulls: true });
  if (patch.tagIds != null) {
    if ((await setTicketTags(trx, id, patch.tagIds, 'tagIds')).changed) changes.tagIds = patch.tagIds;
  } else if (patch.addTagIds != null || patch.removeTagIds != null) {
    const r = await addRemoveTicketTags(trx, id, patch.addTagIds ?? [], patch.removeTagIds ?? []);
    if (r.changed) changes.tagIds = { add: patch.addTagIds ?? [], remove: patch.removeTagIds ?? [] };
  }
  if (patch.rawData != null) {
    update.raw_data = JSON.stringify(patch.rawData);
    changes.rawData = true;
  }
  if (Object.keys(changes).length === 0) return;
  await trx.updateTable('tickets').set({ ...update, modified_at: nowSeconds() }).where('id', '=', id).execute();
  await recordEvent(trx, { type: 'ticketUpdated', ticketId: id, data: { userId: actor.agentId, changes, ticketId: id }, createdBy: actor.agentId });
}

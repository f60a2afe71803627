import type { AppContext } from '../context.js';
import type { Actor } from '../auth/actor.js';
import { Invalid, NotFound } from '../errors.js';
import { lockTicket } from '../tickets/readTickets.js';
import { nowSeconds } from '../time.js';
import { applyVerdicts, gateTicket } from './recordIntents.js';
import { executeIntent, type ExecuteResult } from './execute.js';
import { serializeIntent, type Info } from './intentModel.js';
import type { GateOptions, GateVerdict } from './gate.js';

/**
 * POST /api/mind/ticket/{id}/autoexecute: the pipeline's gate on demand (the message it judges is
 * the ticket's last one said to or by the customer), then the passing intents executed here, each
 * through the same once-only executor the job uses. A dry run writes nothing, calls nothing, sends nothing.
 */
export async function autoexecuteTicket(ctx: AppContext, ticketId: number, opts: GateOptions, dryRun: boolean) {
  const now = nowSeconds();
  const { verdicts, passed } = await ctx.db.writeTransaction(async (trx) => {
    const ticket = await lockTicket(trx, ctx.db.kind, ticketId);
    if (!ticket || ticket.deleted_at !== null) throw new NotFound('ticket', ticketId, 'ticketId');
    const last = await trx.selectFrom('conversations').select(['id', 'direction']).where('ticket_id', '=', ticketId)
      .where('direction', 'in', ['in', 'out']).where('is_draft', '=', 0).where('deleted_at', 'is', null).orderBy('id', 'desc').limit(1).executeTakeFirst();
    const v: GateVerdict[] = await gateTicket(trx, ctx, ticket, last ?? null, opts, now);
    const p = await applyVerdicts(trx, ctx, ticket, v, now, dryRun ? 'none' : 'mark');
    return { verdicts: v, passed: dryRun ? v.filter((x) => x.pass).map((x) => x.intentId) : p.map((r) => r.id) };
  });
  if (verdicts.length === 0) {
    return { success: false, dryRun, message: 'no active intent on this ticket' + (opts.executeAgentId ? ` for AI agent ${opts.executeAgentId}` : ''), ticketId, gate: [], runs: [] };
  }
  const runs: ExecuteResult[] = [];
  for (const id of passed) runs.push(await executeIntent(ctx, id, { dryRun }));
  const success = passed.length > 0 && runs.every((r) => r.success);
  const message = passed.length === 0 ? 'the gate kept the ticket with a person (see gate[].infos)' : success ? (dryRun ? 'dry run: would be executed; nothing was called or sent' : 'executed') : 'an execution reported failure';
  return { success, dryRun, message, ticketId, gate: verdicts, runs };
}

/** `_action: reject`: the intent is invalidated (history), the ticket stays with a person. */
export async function rejectIntent(ctx: AppContext, intentId: number, actor: Actor) {
  const row = await ctx.db.kysely.selectFrom('ticket_intents').selectAll().where('id', '=', intentId).executeTakeFirst();
  if (!row) throw new NotFound('intent', intentId, 'id');
  if (row.status === 'executed' || row.status === 'invalidated') throw new Invalid('id', `intent ${intentId} is ${row.status} already`, 'intent_not_active');
  const infos: Info[] = [...(JSON.parse(row.infos ?? '[]') as Info[]), { type: 'neutral', message: `rejected by agent ${actor.agentId}` }];
  await ctx.db.kysely.updateTable('ticket_intents').set({ status: 'invalidated', infos: JSON.stringify(infos), modified_at: nowSeconds() }).where('id', '=', intentId).execute();
  const fresh = await ctx.db.kysely.selectFrom('ticket_intents').selectAll().where('id', '=', intentId).executeTakeFirstOrThrow();
  return { success: true, message: 'rejected', dryRun: false, intent: serializeIntent(fresh), reply: null, actionRequest: null, actionAnswer: null, conversationId: null };
}

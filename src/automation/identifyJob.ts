import type { AppContext } from '../context.js';
import type { TaskHandler } from '../jobs/runner.js';
import { aiText } from '../ai/aiText.js';
import { lockTicket } from '../tickets/readTickets.js';
import { nowSeconds } from '../time.js';
import { ACTIVE, type Info } from './intentModel.js';
import { playbookOf } from './playbook.js';
import { applyVerdicts, gateTicket, IDENTIFY_TASK, refreshParameters } from './recordIntents.js';
import { idOf, legitimationLevel, lookupCustomer, type Identifiers } from './customerSystem.js';

export { IDENTIFY_TASK };

/**
 * After the pipeline, when a customer system is configured: who wrote (by the contract, customer
 * and meter numbers the message names and the sender address), Enneo's legitimation level, the
 * customer's and contract's records on the active intents (parameters with source customer /
 * contract), then the gate — in one transaction, the execution queued with it.
 */
export function identifyTask(ctx: AppContext): TaskHandler {
  return async (payload: { conversationId: number }) => {
    const k = ctx.db.kysely;
    const conv = await k.selectFrom('conversations').selectAll().where('id', '=', payload.conversationId).executeTakeFirst();
    if (!conv) return;
    const ticket0 = await k.selectFrom('tickets').selectAll().where('id', '=', conv.ticket_id).executeTakeFirst();
    if (!ticket0) return;
    const text = aiText([conv.subject, conv.body_clean || conv.body_plain], ctx.config.AI_MAX_TEXT_CHARS);
    const actives = await k.selectFrom('ticket_intents').selectAll().where('ticket_id', '=', conv.ticket_id).where('status', 'in', ACTIVE).execute();
    const seen = Object.assign({}, ...actives.map((a) => JSON.parse(a.data) as Record<string, unknown>)) as Record<string, unknown>;
    const s = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    const ids: Identifiers = {
      ...(s(seen.contractNumber) ? { contractNumber: s(seen.contractNumber) } : {}),
      ...(s(seen.customerNumber) ? { customerNumber: s(seen.customerNumber) } : {}),
      ...(s(seen.meterNumber) ? { meterNumber: s(seen.meterNumber) } : {}),
      ...(s(conv.from_email ?? ticket0.from_email) ? { email: (conv.from_email ?? ticket0.from_email)! } : {}),
    };
    const result = await lookupCustomer(ctx, ids, conv.ticket_id);
    const found = result.ok ? result.found : { customer: null, contract: null };
    const level = legitimationLevel(found, ids, text);
    const info: Info = !result.ok ? { type: 'warning', message: `customer: not identified: ${result.error}` }
      : !found.customer ? { type: 'neutral', message: 'customer: the customer system knows no customer by the sender address or the numbers in the message' }
      : { type: level >= 20 ? 'success' : 'warning', message: `customer: ${idOf(found.customer)} recognised, legitimation ${level}${level >= 20 ? '' : ' (not legitimated: the sender address is not the customer\'s, and contract number and last name are not both in the message)'}` };

    const now = nowSeconds();
    await ctx.db.writeTransaction(async (trx) => {
      const ticket = await lockTicket(trx, ctx.db.kind, conv.ticket_id);
      if (!ticket) return;
      const contractId = ticket.contract_id ?? idOf(found.contract);
      await trx.updateTable('tickets').set({
        contract_id: contractId, customer_id: ticket.customer_id ?? idOf(found.customer),
        customer_legitimation: Math.max(ticket.customer_legitimation ?? 0, level), modified_at: now,
      }).where('id', '=', ticket.id).execute();
      const updated = { ...ticket, contract_id: contractId, customer_id: ticket.customer_id ?? idOf(found.customer), customer_legitimation: Math.max(ticket.customer_legitimation ?? 0, level) };
      const rows = await trx.selectFrom('ticket_intents').selectAll().where('ticket_id', '=', ticket.id).where('status', 'in', ACTIVE).execute();
      for (const row of rows) {
        const agent = await trx.selectFrom('ai_agents').select(['code', 'playbook']).where('id', '=', row.ai_agent_id).executeTakeFirst();
        if (!agent) continue;
        const data = { ...(JSON.parse(row.data) as Record<string, unknown>), ...(found.customer ? { customer: found.customer } : {}), ...(found.contract ? { contract: found.contract } : {}) };
        const fresh = refreshParameters(playbookOf(agent), data, text, updated, contractId, ticket.language_code);
        // Intents found before the contract was known now belong to it (one active per ticket, agent, contract).
        const clash = row.contract_id === null && contractId !== null && rows.some((r) => r.ai_agent_id === row.ai_agent_id && r.contract_id === contractId);
        await trx.updateTable('ticket_intents').set({
          data: JSON.stringify(fresh.data), status: fresh.status, infos: JSON.stringify([...fresh.infos, info]), modified_at: now,
          ...(row.contract_id === null && !clash ? { contract_id: contractId } : {}),
        }).where('id', '=', row.id).execute();
      }
      const verdicts = await gateTicket(trx, ctx, updated, { id: conv.id, direction: conv.direction }, {}, now);
      await applyVerdicts(trx, ctx, updated, verdicts, now, 'queue');
    });
    ctx.notifyJobs();
  };
}

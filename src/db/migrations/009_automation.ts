import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../dialect.js';

// Dark processing (issue 14): Enneo's intent model and the AI agent's playbook.
//   ai_agents.playbook               JSON (src/automation/playbook.ts); null = the shipped default of
//                                    data/ai-agents.json for the agent's code, if any
//   ticket_intents.status            preview | ready | executed | invalidated ('detected' rows become
//                                    preview; of several per ticket and agent only the newest stays active)
//   ticket_intents.contract_id       the contract the intent is about: one active intent per (ticket, agent, contract)
//   options, infos, outcome          Enneo's intent fields, JSON
//   action_result                    the customer system's answer, kept before the reply is created
//   auto_queued_at                   Unix seconds the gate passed and queued the execution (the daily cap counts these)
//   exec_claim, exec_claim_until     who is executing the intent now, until when (ms): one executor at a time
//   reply_after_conversation_id      the ticket's last conversation id when the execution began: a reply
//                                    found after it is the one this execution made (no second reply)
//   reply_conversation_id, executed_at, executed_by, modified_at
//   tickets.customer_legitimation    Enneo's levels: 0 none, 10–19 recognised, 20 legitimated by rules, 30/40 by a person
export function automationMigration(_kind: DbKind) {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('ai_agents').addColumn('playbook', 'text').execute();
      for (const [col, type] of [
        ['contract_id', 'text'], ['options', 'text'], ['infos', 'text'], ['outcome', 'text'], ['action_result', 'text'],
        ['auto_queued_at', 'bigint'], ['exec_claim', 'text'], ['exec_claim_until', 'bigint'], ['reply_after_conversation_id', 'integer'],
        ['reply_conversation_id', 'integer'], ['executed_at', 'bigint'], ['executed_by', 'integer'], ['modified_at', 'bigint'],
      ] as const) {
        await db.schema.alterTable('ticket_intents').addColumn(col, type).execute();
      }
      await db.schema.alterTable('tickets').addColumn('customer_legitimation', 'integer').execute();
      // Earlier runs wrote one 'detected' row per message: keep the newest per (ticket, agent) active.
      await sql`update ticket_intents set status = 'invalidated' where status = 'detected' and exists (
        select 1 from ticket_intents t2 where t2.ticket_id = ticket_intents.ticket_id and t2.ai_agent_id = ticket_intents.ai_agent_id
          and t2.status = 'detected' and t2.id > ticket_intents.id)`.execute(db);
      await sql`update ticket_intents set status = 'preview' where status = 'detected'`.execute(db);
      await sql`create unique index ticket_intents_active_uq on ticket_intents (ticket_id, ai_agent_id, coalesce(contract_id, ''))
        where status in ('preview', 'ready')`.execute(db);
      await db.schema.createIndex('ticket_intents_auto_idx').on('ticket_intents').columns(['ai_agent_id', 'auto_queued_at']).execute();
    },
  };
}

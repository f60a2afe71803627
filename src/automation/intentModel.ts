import type { Kysely, Transaction } from 'kysely';
import type { Database, TicketIntentRow } from '../db/schema.js';

// Enneo's intent shape, one place: status preview | ready | executed | invalidated, data,
// options, infos and, once run, outcome. ACTIVE statuses are the ones at most one intent per
// (ticket, AI agent, contract) may hold (a partial unique index, migration 009).

export type IntentStatus = 'preview' | 'ready' | 'executed' | 'invalidated';
export const ACTIVE: IntentStatus[] = ['preview', 'ready'];

export interface Info { type: 'success' | 'warning' | 'danger' | 'neutral'; message: string }
export interface IntentOption { type: string; name: string; recommended: boolean }
export interface Outcome { success: boolean; message: string; executedAt: number; userId: number | null; sent: boolean; ticketClosed: boolean }

type Exec = Kysely<Database> | Transaction<Database>;

export function intentOptions(language: string | null): IntentOption[] {
  const de = language !== 'en';
  return [
    { type: 'execute', name: de ? 'Ausführen und antworten' : 'Execute and reply', recommended: true },
    { type: 'reject', name: de ? 'Verwerfen (eine Person bearbeitet das Ticket)' : 'Reject (a person handles the ticket)', recommended: false },
  ];
}

const parse = <T>(s: string | null, dflt: T): T => (s ? (JSON.parse(s) as T) : dflt);

export function serializeIntent(r: TicketIntentRow & { name_en?: string | null; name_de?: string | null }) {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    conversationId: r.conversation_id,
    code: r.code,
    name: r.name_en ?? r.code,
    nameDe: r.name_de ?? null,
    aiAgentId: r.ai_agent_id,
    contractId: r.contract_id,
    confidence: r.confidence,
    status: r.status as IntentStatus,
    data: parse<Record<string, unknown>>(r.data, {}),
    options: parse<IntentOption[]>(r.options, []),
    infos: parse<Info[]>(r.infos, []),
    outcome: parse<Outcome | null>(r.outcome, null),
    actionResult: parse<unknown>(r.action_result, null),
    replyConversationId: r.reply_conversation_id,
    createdAt: r.created_at,
    modifiedAt: r.modified_at ?? r.created_at,
  };
}
export type SerializedIntent = ReturnType<typeof serializeIntent>;

export function intentQuery(db: Exec) {
  return db.selectFrom('ticket_intents as ti')
    .leftJoin('ai_agents as a', 'a.id', 'ti.ai_agent_id')
    .selectAll('ti')
    .select(['a.name_en', 'a.name_de']);
}

/**
 * Enneo's ticket-level aiOutcome: `full` (dark-processed: an intent executed without a person),
 * `agentAssist` (an intent is ready or was executed by a person), `customerDetected` (the customer
 * or contract is known but no intent is ready), `noDetection` (nothing).
 */
export function aiOutcomeOf(intents: SerializedIntent[], ticket: { contract_id: string | null; customer_id: string | null }): 'full' | 'agentAssist' | 'customerDetected' | 'noDetection' {
  if (intents.some((i) => i.status === 'executed' && i.outcome?.success && i.outcome.userId === null)) return 'full';
  if (intents.some((i) => i.status === 'ready' || i.status === 'executed' || i.status === 'preview')) return 'agentAssist';
  if (ticket.contract_id || ticket.customer_id) return 'customerDetected';
  return 'noDetection';
}

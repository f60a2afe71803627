import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { Invalid } from '../errors.js';

// The one check that what a client names exists — agent, subchannel, intents — for store, ticket
// create and patch. Callers run it before their first insert, so an unknown id is a 422 naming
// the field and nothing is written (never a foreign-key 500, never a ticket without its message).

export type AgentRef = { id: number; name: string; email: string };
export type SubchannelRef = { id: number; channel: string; data: string | null };

export interface References {
  /** the channel the subchannel must belong to (the ticket's) */
  channel?: string;
  subchannelId?: number | null;
  agentId?: number | null;
  intentIds?: readonly number[];
}

export interface CheckedReferences {
  subchannel: SubchannelRef | null;
  agent: AgentRef | null;
  /** the codes of `intentIds`, in their order */
  intentCodes: string[];
}

export async function checkReferences(trx: Transaction<Database>, refs: References): Promise<CheckedReferences> {
  const subchannel = refs.subchannelId != null ? await requireSubchannel(trx, refs.subchannelId, refs.channel) : null;
  const agent = refs.agentId != null ? await requireAgent(trx, refs.agentId) : null;
  const intentCodes = await resolveIntentCodes(trx, refs.intentIds ?? []);
  return { subchannel, agent, intentCodes };
}

async function requireAgent(trx: Transaction<Database>, agentId: number): Promise<AgentRef> {
  const agent = await trx.selectFrom('agents').select(['id', 'name', 'email']).where('id', '=', agentId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!agent) throw new Invalid('agentId', `agent ${agentId} does not exist`, 'unknown_agent');
  return agent;
}

async function requireSubchannel(trx: Transaction<Database>, id: number, channel: string | undefined): Promise<SubchannelRef> {
  const sc = await trx.selectFrom('subchannels').select(['id', 'channel', 'data']).where('id', '=', id).executeTakeFirst();
  if (!sc) throw new Invalid('subchannelId', `subchannel ${id} does not exist`, 'unknown_subchannel');
  if (channel !== undefined && sc.channel !== channel) {
    throw new Invalid('subchannelId', `subchannel ${id} belongs to channel ${sc.channel}, not to the ticket's channel ${channel}`, 'subchannel_channel_mismatch');
  }
  return sc;
}

async function resolveIntentCodes(trx: Transaction<Database>, ids: readonly number[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await trx.selectFrom('ai_agents').select(['id', 'code']).where('id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, r.code]));
  return ids.map((id, i) => {
    const code = byId.get(id);
    if (!code) throw new Invalid(`intentIds[${i}]`, `intent ${id} is not in the AI-agent catalogue (GET /api/mind/aiAgents)`, 'unknown_intent');
    return code;
  });
}

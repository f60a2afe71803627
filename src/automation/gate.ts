import type { Transaction } from 'kysely';
import type { Config } from '../config.js';
import type { Database, TicketIntentRow, TicketRow } from '../db/schema.js';
import type { Info } from './intentModel.js';
import { playbookOf, type Playbook } from './playbook.js';
import { involvesContract } from './parameters.js';

// The gate of dark processing: every rule that keeps a ticket with a person, each as an `infos`
// entry on the intent it blocks. One place for the pipeline (after every customer message) and
// for POST /api/mind/ticket/{id}/autoexecute.

export const AUTOMATION_CHANNELS = ['email', 'letter', 'portal'];
export const MIN_LEGITIMATION = 20;

export interface GateOptions {
  executeAgentId?: number | null;
  allowMultipleIntents?: boolean;
  allowWithReplies?: boolean;
}

export interface GateIntent { row: TicketIntentRow; agent: { id: number; code: string; enabled: number; playbook: string | null } }
export interface GateVerdict { intentId: number; pass: boolean; infos: Info[] }

/** The UTC day's start in Unix seconds: the daily cap counts executions queued since. */
export const dayStart = (nowSec: number) => nowSec - (nowSec % 86_400);

export async function evaluateGate(
  trx: Transaction<Database>, config: Config, ticket: TicketRow, trigger: { id: number; direction: string } | null, candidates: GateIntent[], opts: GateOptions, nowSec: number,
): Promise<GateVerdict[]> {
  const shared: Info[] = [];
  if (!AUTOMATION_CHANNELS.includes(ticket.channel)) shared.push(danger(`channel ${ticket.channel}: only email, letter and portal tickets are answered automatically (never phone or chat)`));
  if (!trigger || trigger.direction !== 'in') shared.push(danger('the last message is not an incoming customer message'));
  else if (!opts.allowWithReplies) {
    const earlier = await trx.selectFrom('conversations').select(['id', 'direction'])
      .where('ticket_id', '=', ticket.id).where('id', '!=', trigger.id).where('direction', 'in', ['in', 'out']).where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('direction', '=', 'out'), eb('id', '<', trigger.id)])).limit(1).executeTakeFirst();
    if (earlier) shared.push(danger(earlier.direction === 'out' ? 'the ticket already has a reply: only a first customer message is answered automatically (allowWithReplies)' : 'not the ticket\'s first customer message: follow-ups stay with a person (allowWithReplies)'));
  }
  const scoped = opts.executeAgentId ? candidates.filter((c) => c.agent.id === opts.executeAgentId) : candidates;
  if (scoped.length > 1 && !opts.allowMultipleIntents) {
    shared.push(danger(`${scoped.length} concerns in one ticket (${scoped.map((c) => c.agent.code).join(', ')}): exactly one intent is executed automatically (allowMultipleIntents)`));
  }
  const legitimation = ticket.customer_legitimation ?? 0;

  const verdicts: GateVerdict[] = [];
  for (const c of scoped) {
    const infos = [...shared];
    const playbook: Playbook | null = playbookOf(c.agent);
    if (!playbook) infos.push(danger(`AI agent ${c.agent.code} has no playbook: nothing to execute`));
    else {
      if (c.agent.enabled !== 1) infos.push(danger(`AI agent ${c.agent.code} is disabled`));
      if (!playbook.autoExecute) infos.push(danger(`automation is off for ${c.agent.code} (playbook.autoExecute)`));
      if (c.row.status !== 'ready') infos.push(danger('the intent is not ready: a required parameter is missing'));
      const photo = (JSON.parse(c.row.data) as { meterPhotoConfidence?: unknown }).meterPhotoConfidence;
      if (typeof photo === 'number' && photo < playbook.photoMinConfidence && playbook.parameters.some((p) => p.extractor === 'meterValue')) {
        infos.push(danger(`the meter reading was read from a photo with confidence ${photo}, below ${playbook.photoMinConfidence}: a person confirms it`));
      }
      for (const m of meterValueRules(JSON.parse(c.row.data) as Record<string, unknown>, playbook)) infos.push(danger(m));
      if (c.row.confidence < playbook.minConfidence) infos.push(danger(`confidence ${c.row.confidence} is below the agent's threshold ${playbook.minConfidence}`));
      if (involvesContract(playbook, ticket.contract_id ?? c.row.contract_id) && legitimation < MIN_LEGITIMATION) {
        infos.push(danger(config.CUSTOMER_SYSTEM_URL
          ? `a contract is involved and the sender is not legitimated (level ${legitimation}, ${MIN_LEGITIMATION} needed)`
          : `a contract is involved and no customer system is configured (CUSTOMER_SYSTEM_URL): the sender alone is not legitimated (level ${legitimation}, ${MIN_LEGITIMATION} needed)`));
      }
      if (playbook.action) {
        if (playbook.action.url.startsWith('/') && !config.CUSTOMER_SYSTEM_URL) infos.push(danger(`the action calls ${playbook.action.url} of the customer system, and CUSTOMER_SYSTEM_URL is not set`));
        if (!config.CUSTOMER_SYSTEM_SECRET) infos.push(danger('actions are signed and CUSTOMER_SYSTEM_SECRET is not set'));
      }
      if (playbook.dailyCap > 0) {
        const n = await trx.selectFrom('ticket_intents').select((eb) => eb.fn.countAll<number>().as('n'))
          .where('ai_agent_id', '=', c.agent.id).where('auto_queued_at', '>=', dayStart(nowSec)).where('id', '!=', c.row.id).executeTakeFirstOrThrow();
        if (Number(n.n) >= playbook.dailyCap) infos.push(danger(`daily cap reached: ${Number(n.n)} of ${playbook.dailyCap} automated executions today (UTC)`));
      }
    }
    const pass = infos.every((i) => i.type !== 'danger');
    if (pass) infos.push({ type: 'success', message: 'every automation rule passed: executed without a person' });
    verdicts.push({ intentId: c.row.id, pass, infos });
  }
  return verdicts;
}

/**
 * The meter reading's own rules: a photo the OCR could not read surely (needsConfirmation) is
 * never executed, and a value below the contract's previous reading (when the customer system
 * answers with one: previousReading / lastMeterReading / lastReading) is implausible for a
 * register that only counts up.
 */
export function meterValueRules(data: Record<string, unknown>, playbook: Playbook): string[] {
  if (!playbook.parameters.some((p) => p.extractor === 'meterValue')) return [];
  const out: string[] = [];
  const unsure = data.meterPhotoNeedsConfirmation;
  if (Array.isArray(unsure)) {
    out.push(`the meter photo needs confirmation: its digits could not be read surely enough${unsure.length ? ` (candidates ${unsure.slice(0, 5).map(String).join(', ')})` : ''}; a person confirms the reading`);
  }
  const contract = data.contract as Record<string, unknown> | undefined;
  const previous = [contract?.previousReading, contract?.lastMeterReading, contract?.lastReading].map((v) => (typeof v === 'string' ? Number(v.replace(',', '.')) : v)).find((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const value = typeof data.meterValue === 'number' ? data.meterValue : undefined;
  if (previous !== undefined && value !== undefined && value < previous) {
    out.push(`the meter reading ${value} is below the contract's previous reading ${previous}: implausible, a person checks it`);
  }
  return out;
}

function danger(message: string): Info {
  return { type: 'danger', message };
}

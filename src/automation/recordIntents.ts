import type { Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database, TicketIntentRow, TicketRow } from '../db/schema.js';
import { enqueueJob } from '../jobs/queue.js';
import { evaluateGate, type GateIntent, type GateOptions, type GateVerdict } from './gate.js';
import { ACTIVE, intentOptions, type Info } from './intentModel.js';
import { resolveParameters } from './parameters.js';
import { extractParameters } from '../ai/extract/index.js';
import { playbookOf, type Playbook } from './playbook.js';
import { EXECUTE_INTENT_TASK, executeJobKey } from './execute.js';
import { customerSystemConfigured } from './customerSystem.js';
import { nextRunAt, parseBusinessHours } from './schedule.js';

export const IDENTIFY_TASK = 'identifyCustomer';
export const identifyJobKey = (conversationId: number) => `identify-customer:${conversationId}`;

// What the AI pipeline hands over after it read a message (one call, inside its transaction):
// the detected intents become Enneo intents — one active intent per (ticket, AI agent, contract),
// updated by follow-ups, `ready` once every required parameter is known — and the gate decides,
// in the same transaction, whether the ticket is dark-processed: then aiSupportLevel is
// `automated` and the execution job is queued with the intents (durable: committed together).

export interface Analysed {
  conversation: { id: number; ticket_id: number; direction: string; contract_id: string | null };
  intents: { code: string; confidence: number }[];
  parameters: Record<string, unknown>;
  text: string;
  language: string | null;
  /** the meter photos the pipeline read (src/ai/meterPhotos.ts) */
  photos?: { status: string; confidence: number; data: unknown }[];
}

/**
 * When the meter reading came from a photo and the text does not say it, the OCR's confidence
 * goes on the intent (`meterPhotoConfidence`): the gate holds such readings to the playbook's
 * photoMinConfidence, as misread digits still come with high confidence.
 */
function photoConfidence(input: Analysed): number | undefined {
  const read = (input.photos ?? []).filter((p) => p.status === 'success').sort((a, b) => b.confidence - a.confidence)[0];
  if (!read || input.parameters.meterValue !== (read.data as { meterValue?: unknown }).meterValue) return undefined;
  const fromText = extractParameters(input.text, input.language === 'de' || input.language === 'en' ? input.language : undefined).meterValue;
  return fromText === input.parameters.meterValue ? undefined : read.confidence;
}

/**
 * A meter photo the OCR could not read surely enough (status needsConfirmation), when neither the
 * text nor another photo gives the value: its candidates go on the intent, and the gate keeps the
 * ticket with a person, saying why.
 */
function unsurePhoto(input: Analysed): string[] | undefined {
  if (input.parameters.meterValue !== undefined) return undefined;
  const p = (input.photos ?? []).find((x) => x.status === 'needsConfirmation');
  if (!p) return undefined;
  const d = p.data as { reading?: { digits?: unknown }; candidates?: { digits?: unknown }[] };
  return [d.reading?.digits, ...(d.candidates ?? []).map((c) => c.digits)].filter((x): x is string => typeof x === 'string').slice(0, 5);
}

function parameterInfos(playbook: Playbook | null, missing: string[], language: string | null): Info[] {
  if (!playbook) return [{ type: 'neutral', message: 'this AI agent has no playbook: detected for a person, never executed' }];
  const de = language === 'de';
  if (missing.length === 0) return [{ type: 'success', message: de ? 'alle nötigen Angaben erkannt' : 'every required parameter is known' }];
  return missing.map((k) => ({ type: 'warning' as const, message: de ? `${k} fehlt: die Nachricht nennt es nicht (lesbar)` : `${k} is missing: the message does not state it (readably)` }));
}

export async function recordIntentsAndGate(trx: Transaction<Database>, ctx: AppContext, input: Analysed, now: number): Promise<void> {
  const { conversation: conv } = input;
  const ticket = await trx.selectFrom('tickets').selectAll().where('id', '=', conv.ticket_id).executeTakeFirstOrThrow();
  const codes = input.intents.map((i) => i.code);
  const agents = codes.length ? await trx.selectFrom('ai_agents').selectAll().where('code', 'in', codes).execute() : [];
  const contractId = ticket.contract_id ?? conv.contract_id ?? null;
  const photo = photoConfidence(input);
  for (const detected of input.intents) {
    const agent = agents.find((a) => a.code === detected.code);
    if (!agent) continue;
    const playbook = playbookOf(agent);
    const active = await trx.selectFrom('ticket_intents').selectAll()
      .where('ticket_id', '=', ticket.id).where('ai_agent_id', '=', agent.id).where('status', 'in', ACTIVE)
      .where((eb) => (contractId === null ? eb('contract_id', 'is', null) : eb('contract_id', '=', contractId)))
      .executeTakeFirst();
    const known = active ? (JSON.parse(active.data) as Record<string, unknown>) : {};
    // A follow-up adds what it says to what earlier messages said; it never erases a known value.
    const extracted = { ...known, ...Object.fromEntries(Object.entries(input.parameters).filter(([, v]) => v !== undefined && v !== null)) };
    if (input.parameters.meterValue !== undefined) {
      if (photo === undefined) delete extracted.meterPhotoConfidence;
      else extracted.meterPhotoConfidence = photo;
    }
    const unsure = unsurePhoto(input);
    if (unsure) extracted.meterPhotoNeedsConfirmation = unsure;
    else if (input.parameters.meterValue !== undefined) delete extracted.meterPhotoNeedsConfirmation;
    const fresh = refreshParameters(playbook, extracted, input.text, ticket, contractId, input.language);
    const values = {
      conversation_id: conv.id, confidence: Math.round(Math.max(detected.confidence, active?.confidence ?? 0) * 1000) / 1000,
      data: JSON.stringify(fresh.data), status: fresh.status, options: JSON.stringify(intentOptions(input.language)), infos: JSON.stringify(fresh.infos), modified_at: now,
    };
    if (active) await trx.updateTable('ticket_intents').set(values).where('id', '=', active.id).execute();
    else await trx.insertInto('ticket_intents').values({ ...values, ticket_id: ticket.id, ai_agent_id: agent.id, code: agent.code, contract_id: contractId, created_at: now }).execute();
  }
  if (conv.direction !== 'in') return;
  if (customerSystemConfigured(ctx) && (await activeIntents(trx, ticket.id)).length > 0) {
    // Who wrote? The customer system is asked outside this transaction; its job gates afterwards.
    await enqueueJob(trx, IDENTIFY_TASK, { conversationId: conv.id }, { jobKey: identifyJobKey(conv.id), maxAttempts: ctx.config.JOB_MAX_ATTEMPTS });
    return;
  }
  const verdicts = await gateTicket(trx, ctx, ticket, { id: conv.id, direction: conv.direction }, {}, now);
  await applyVerdicts(trx, ctx, ticket, verdicts, now, 'queue');
}

/** The playbook's parameters resolved again on an intent's data: data, status and parameter infos. */
export function refreshParameters(playbook: Playbook | null, extracted: Record<string, unknown>, text: string, ticket: TicketRow, contractId: string | null, language: string | null) {
  const resolved = playbook ? resolveParameters(playbook, {
    extracted, text, ticket: { contractId, customerId: ticket.customer_id, fromEmail: ticket.from_email, fromName: ticket.from_name, subject: ticket.subject },
    customer: (extracted.customer as Record<string, unknown> | undefined) ?? null, contract: (extracted.contract as Record<string, unknown> | undefined) ?? null,
  }) : { values: {}, missing: [] };
  return {
    data: { ...extracted, ...resolved.values },
    status: playbook && resolved.missing.length === 0 ? 'ready' as const : 'preview' as const,
    infos: parameterInfos(playbook, resolved.missing, language),
  };
}

export async function activeIntents(trx: Transaction<Database>, ticketId: number): Promise<GateIntent[]> {
  const rows = await trx.selectFrom('ticket_intents').selectAll().where('ticket_id', '=', ticketId).where('status', 'in', ACTIVE).orderBy('id').execute();
  const agents = rows.length ? await trx.selectFrom('ai_agents').select(['id', 'code', 'enabled', 'playbook']).where('id', 'in', rows.map((r) => r.ai_agent_id)).execute() : [];
  return rows.flatMap((row) => {
    const agent = agents.find((a) => a.id === row.ai_agent_id);
    return agent ? [{ row, agent }] : [];
  });
}

export async function gateTicket(trx: Transaction<Database>, ctx: AppContext, ticket: TicketRow, trigger: { id: number; direction: string } | null, opts: GateOptions, now: number): Promise<GateVerdict[]> {
  return evaluateGate(trx, ctx.config, ticket, trigger, await activeIntents(trx, ticket.id), opts, now);
}

/**
 * Writes the gate's infos onto the intents (after their parameter infos). `queue` (the pipeline)
 * marks the passing ones automated and queues their execution in this transaction; `mark` (the
 * autoexecute route, which runs them itself) only marks them; `none` (a dry run) neither.
 */
export async function applyVerdicts(trx: Transaction<Database>, ctx: AppContext, ticket: TicketRow, verdicts: GateVerdict[], now: number, mode: 'queue' | 'mark' | 'none'): Promise<TicketIntentRow[]> {
  const enqueue = mode !== 'none';
  const passed: TicketIntentRow[] = [];
  for (const v of verdicts) {
    const row = await trx.selectFrom('ticket_intents').selectAll().where('id', '=', v.intentId).executeTakeFirstOrThrow();
    const own = (JSON.parse(row.infos ?? '[]') as Info[]).filter((i) => !i.message.startsWith('gate: '));
    const gateInfos = v.infos.map((i) => ({ ...i, message: `gate: ${i.message}` }));
    await trx.updateTable('ticket_intents').set({ infos: JSON.stringify([...own, ...gateInfos]), ...(v.pass && enqueue ? { auto_queued_at: now } : {}) }).where('id', '=', row.id).execute();
    if (v.pass && enqueue) {
      passed.push(row);
      if (mode === 'queue') {
        const runAt = nextRunAt(Date.now() + ctx.config.AUTOMATION_DELAY_SECONDS * 1000, parseBusinessHours(ctx.config.AUTOMATION_BUSINESS_HOURS), ctx.config.AUTOMATION_TIMEZONE);
        await enqueueJob(trx, EXECUTE_INTENT_TASK, { intentId: row.id }, { jobKey: executeJobKey(row.id), maxAttempts: ctx.config.JOB_MAX_ATTEMPTS, runAt });
      }
    }
  }
  if (passed.length) await trx.updateTable('tickets').set({ ai_support_level: 'automated', modified_at: now }).where('id', '=', ticket.id).execute();
  return passed;
}

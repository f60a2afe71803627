import type { Db } from '../db/dialect.js';
import type { CortexRequestTable, EventRow } from '../db/schema.js';
import type { Selectable } from 'kysely';
import { fromJson } from '../db/json.js';
import { NotFound } from '../errors.js';
import { conversationJobKey } from '../jobs/jobKeys.js';
import { listJobs } from '../jobs/queue.js';
import { describeEvent } from './activityEvents.js';

// GET /ticket/{id}/activity: the ticket's timeline, built from what the database already keeps:
// its messages, its event log (every event type, worded by activityEvents.ts), its AI runs (one
// entry per phase) and the hook deliveries of its events. `technical` adds the records of how
// processing ran: store receipts, extraction events, AI run timings and provider, delivery
// attempts, jobs. A new source is one more function returning entries; order is decided here.

export interface ActivityActor {
  type: 'customer' | 'agent' | 'ai' | 'system';
  id: number | null;
  name: string | null;
}

export interface ActivityEntry {
  /** Stable per record: `<source>:<id>[:<phase>]`. */
  id: string;
  /** Unix seconds. */
  at: number;
  type: string;
  actor: ActivityActor;
  summary: string;
  details: Record<string, unknown>;
  technical: boolean;
}

const SYSTEM: ActivityActor = { type: 'system', id: null, name: null };
const AI: ActivityActor = { type: 'ai', id: null, name: 'ticketmind AI' };
/** Sources at the same second keep this order: the message, then what followed from it. */
const RANK: Record<string, number> = { conversation: 0, event: 1, cortex: 2, gate: 3, delivery: 4, job: 5 };

type Source = (db: Db, ticketId: number, technical: boolean) => Promise<ActivityEntry[]>;

export async function ticketActivity(db: Db, ticketId: number, opts: { technical: boolean; limit: number }) {
  const ticket = await db.kysely.selectFrom('tickets').select('id').where('id', '=', ticketId).executeTakeFirst();
  if (!ticket) throw new NotFound('ticket', ticketId, 'ticketId');
  const sources: Source[] = [messages, events, aiRuns, gateDecisions, hookDeliveries, ...(opts.technical ? [jobs] : [])];
  const all = (await Promise.all(sources.map((s) => s(db, ticketId, opts.technical)))).flat().filter((e) => opts.technical || !e.technical);
  await nameAgents(db, all);
  all.sort((a, b) => a.at - b.at || rank(a) - rank(b) || seq(a) - seq(b));
  return { total: all.length, activities: all.slice(0, opts.limit) };
}

const rank = (e: ActivityEntry) => RANK[e.id.split(':')[0]!] ?? 9;
const seq = (e: ActivityEntry) => Number(e.id.split(':')[1] ?? 0);

async function nameAgents(db: Db, entries: ActivityEntry[]): Promise<void> {
  const ids = [...new Set(entries.filter((e) => e.actor.type === 'agent' && e.actor.id !== null).map((e) => e.actor.id!))];
  if (ids.length === 0) return;
  const rows = await db.kysely.selectFrom('agents').select(['id', 'name']).where('id', 'in', ids).execute();
  const names = new Map(rows.map((r) => [r.id, r.name]));
  for (const e of entries) if (e.actor.type === 'agent' && e.actor.id !== null) e.actor = { ...e.actor, name: names.get(e.actor.id) ?? null };
}

const agent = (id: number | null): ActivityActor => (id === null ? SYSTEM : { type: 'agent', id, name: null });

async function messages(db: Db, ticketId: number): Promise<ActivityEntry[]> {
  const rows = await db.kysely.selectFrom('conversations')
    .select(['id', 'created_at', 'direction', 'type', 'private', 'is_draft', 'from_email', 'from_name', 'agent_id', 'subject', 'subchannel_id', 'process'])
    .where('ticket_id', '=', ticketId).orderBy('id').execute();
  return rows.map((c) => {
    const inbound = c.direction === 'in';
    const what = c.private ? 'Internal note' : c.is_draft ? 'Draft' : inbound ? 'Customer message' : 'Agent message';
    return {
      id: `conversation:${c.id}`, at: c.created_at, type: inbound ? 'messageReceived' : 'messageStored',
      actor: inbound ? { type: 'customer' as const, id: null, name: c.from_name ?? c.from_email } : agent(c.agent_id),
      summary: `${what} stored${c.subject ? `: ${c.subject.slice(0, 120)}` : ''}`,
      details: { conversationId: c.id, direction: c.direction, type: c.type, private: c.private === 1, isDraft: c.is_draft === 1, from: c.from_email, subchannelId: c.subchannel_id, process: c.process },
      technical: false,
    };
  });
}

async function events(db: Db, ticketId: number): Promise<ActivityEntry[]> {
  const rows = await db.kysely.selectFrom('events').selectAll().where('ticket_id', '=', ticketId).orderBy('id').execute();
  return rows.map((e: EventRow) => {
    const data = fromJson<Record<string, unknown>>(e.data, {});
    const d = describeEvent(e, data);
    return { id: `event:${e.id}`, at: e.created_at, type: e.type, actor: e.created_by === null ? (e.type === 'ticketCreated' || e.type === 'ticketResponse' ? AI : SYSTEM) : agent(e.created_by), summary: d.summary, details: { eventId: e.id, conversationId: e.conversation_id, ...data }, technical: d.technical ?? false };
  });
}

interface RunOutputs {
  language?: string | null;
  intents?: Array<{ code: string; confidence: number }>;
  parameters?: Record<string, unknown>;
  attachments?: Array<{ attachmentId: number; status: string; data: Record<string, unknown> }>;
  fallback?: unknown;
}

async function aiRuns(db: Db, ticketId: number, technical: boolean): Promise<ActivityEntry[]> {
  const rows = await db.kysely.selectFrom('cortex_requests')
    .select(['id', 'conversation_id', 'mode', 'provider', 'model', 'status', 'outputs', 'steps', 'error', 'created_at', 'finished_at'])
    .where('ticket_id', '=', ticketId).orderBy('id').execute();
  return rows.flatMap((r) => runEntries(r, technical));
}

function runEntries(r: Omit<Selectable<CortexRequestTable>, 'ticket_id' | 'inputs'>, technical: boolean): ActivityEntry[] {
  const at = r.finished_at ?? r.created_at;
  const base = { conversationId: r.conversation_id, cortexRequestId: r.id };
  const entry = (phase: string, type: string, summary: string, details: Record<string, unknown>, isTechnical = false): ActivityEntry =>
    ({ id: `cortex:${r.id}:${phase}`, at, type, actor: AI, summary, details: { ...base, ...details }, technical: isTechnical });
  const out: ActivityEntry[] = [];
  if (technical) out.push(entry('run', 'aiRun', `AI run ${r.status} (${r.mode}, ${r.provider} ${r.model})`, { mode: r.mode, provider: r.provider, model: r.model, status: r.status, steps: fromJson(r.steps, {}), startedAt: r.created_at, finishedAt: r.finished_at }, true));
  if (r.status === 'running') return [...out, entry('running', 'aiRunning', 'AI processing under way', {})];
  if (r.status === 'failed') return [...out, entry('failed', 'aiFailed', `AI processing failed: ${(r.error ?? '').slice(0, 200)}`, { error: r.error })];
  const o = fromJson<RunOutputs>(r.outputs, {});
  out.push(entry('language', 'aiLanguage', `Language: ${o.language ?? 'not recognised'}`, { language: o.language ?? null }));
  const intents = o.intents ?? [];
  out.push(entry('intents', 'aiIntents', intents.length ? `Intents: ${intents.map((i) => `${i.code} (${Math.round(i.confidence * 100)}%)`).join(', ')}` : 'No intent detected', { intents }));
  const params = o.parameters ?? {};
  const names = Object.keys(params);
  out.push(entry('extraction', 'aiExtraction', names.length ? `Extracted: ${names.join(', ')}` : 'No parameters extracted', { parameters: params }));
  for (const a of o.attachments ?? []) {
    const value = a.data?.meterValue;
    out.push(entry(`meter-${a.attachmentId}`, 'aiMeterReading', a.status === 'success' ? `Meter reading from attachment ${a.attachmentId}: ${String(value)}` : `Meter photo ${a.attachmentId} not read (${a.status})`, { attachmentId: a.attachmentId, status: a.status, data: a.data }));
  }
  return out;
}

/**
 * Dark processing's verdict per intent (src/automation/gate.ts keeps it on the intent): passed
 * and queued, or which rule kept the ticket with a person, in the words of the intent's infos.
 */
async function gateDecisions(db: Db, ticketId: number): Promise<ActivityEntry[]> {
  const rows = await db.kysely.selectFrom('ticket_intents').select(['id', 'code', 'status', 'infos', 'auto_queued_at', 'created_at', 'modified_at'])
    .where('ticket_id', '=', ticketId).orderBy('id').execute();
  return rows.filter((r) => r.infos !== null || r.auto_queued_at !== null).map((r) => {
    const infos = fromJson<Array<{ type: string; message: string }>>(r.infos, []);
    const blocking = infos.filter((i) => i.type === 'danger' || i.type === 'warning');
    const passed = r.auto_queued_at !== null;
    return {
      id: `gate:${r.id}`, at: r.auto_queued_at ?? r.modified_at ?? r.created_at, type: 'automationGate', actor: AI,
      summary: passed ? `Dark processing: ${r.code} passed the gate and was queued` : blocking.length ? `Dark processing: ${r.code} stays with a person: ${blocking.map((i) => i.message).join('; ')}` : `Dark processing: ${r.code} (${r.status})`,
      details: { intentId: r.id, code: r.code, status: r.status, passed, infos },
      technical: false,
    };
  });
}

async function hookDeliveries(db: Db, ticketId: number, technical: boolean): Promise<ActivityEntry[]> {
  const rows = await db.kysely.selectFrom('hook_deliveries as d').innerJoin('events as e', 'e.id', 'd.event_id')
    .select(['d.id', 'd.hook_id', 'd.event_id', 'd.event_type', 'd.status', 'd.attempts', 'd.last_response_code', 'd.last_error', 'd.created_at', 'd.updated_at'])
    .where('e.ticket_id', '=', ticketId).orderBy('d.id').execute();
  const out: ActivityEntry[] = rows.map((d) => ({
    id: `delivery:${d.id}`, at: d.updated_at, type: 'hookDelivery', actor: SYSTEM,
    summary: `${d.event_type} ${d.status === 'delivered' ? 'delivered' : d.status} to hook ${d.hook_id}${d.last_response_code ? ` (HTTP ${d.last_response_code})` : ''}`,
    details: { deliveryId: d.id, hookId: d.hook_id, eventId: d.event_id, eventType: d.event_type, status: d.status, attempts: d.attempts, lastResponseCode: d.last_response_code, ...(technical ? { lastError: d.last_error } : {}) },
    technical: false,
  }));
  if (!technical || rows.length === 0) return out;
  const attempts = await db.kysely.selectFrom('hook_delivery_attempts').selectAll().where('delivery_id', 'in', rows.map((r) => r.id)).orderBy('id').execute();
  for (const a of attempts) {
    out.push({ id: `delivery:${a.delivery_id}:attempt-${a.attempt}`, at: a.finished_at, type: 'hookDeliveryAttempt', actor: SYSTEM,
      summary: `Hook ${a.hook_id} attempt ${a.attempt}: ${a.status}${a.response_code ? ` (HTTP ${a.response_code})` : ''}`,
      details: { deliveryId: a.delivery_id, attempt: a.attempt, status: a.status, responseCode: a.response_code, error: a.error, durationMs: a.duration_ms, nextRetryAt: a.next_retry_at }, technical: true });
  }
  return out;
}

async function jobs(db: Db, ticketId: number): Promise<ActivityEntry[]> {
  const ids = (await db.kysely.selectFrom('conversations').select('id').where('ticket_id', '=', ticketId).execute()).map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await listJobs(db, { keys: ids.map(conversationJobKey) });
  return rows.map((j) => ({
    id: `job:${j.id}`, at: Math.floor(j.updated_at / 1000), type: 'job', actor: SYSTEM,
    summary: `Job ${j.task} ${j.status} after ${j.attempts} attempt(s)`,
    details: { jobId: j.id, task: j.task, jobKey: j.job_key, status: j.status, attempts: j.attempts, maxAttempts: j.max_attempts, lastError: j.last_error, createdAt: Math.floor(j.created_at / 1000) },
    technical: true,
  }));
}

import type { Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { recordEvent } from '../events/eventLog.js';
import { finishQueuedJob, runQueuedJobNow } from '../jobs/queue.js';
import { conversationJobKey } from '../jobs/jobKeys.js';
import { isFirstCustomerMessage } from '../conversations/firstCustomerMessage.js';
import { nowSeconds } from '../time.js';
import { lockTicket } from '../tickets/readTickets.js';
import { aiSupportLevelAfterAnalysis } from '../tickets/aiSupportLevel.js';
import { aiText } from './aiText.js';
import { detectLanguage } from './language.js';
import { extractParameters } from './extract/index.js';
import { readMeterPhotos, type PhotoResult } from './meterPhotos.js';
import { analyseText, OFFLINE } from './providers.js';
import { recordIntentsAndGate } from '../automation/recordIntents.js';

const METER_INTENT = 'ai_agent_meter_reading';


/**
 * The AI run for one stored conversation: language, intents (customer messages), parameters.
 * Results land on the conversation, the ticket and its intents, and the customer-message event
 * fires (TicketCreated for the first incoming message, TicketResponse after). Runs exactly once
 * per conversation: a finished run is never repeated, and of two concurrent runs (a realtime run
 * past its budget and the batch job taking over) only the first to commit counts.
 */
export async function processConversation(ctx: AppContext, conversationId: number, mode: 'batch' | 'realtime' = 'batch'): Promise<'done' | 'skipped'> {
  const db = ctx.db.kysely;
  const conv = await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirst();
  if (!conv || conv.cortex_request_id !== null) return 'skipped';

  const text = aiText([conv.subject, conv.body_clean || conv.body_plain], ctx.config.AI_MAX_TEXT_CHARS);
  const steps: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const s = performance.now();
    try {
      return await f();
    } finally {
      steps[name] = Math.round((performance.now() - s) * 100) / 100;
    }
  };
  const cortex = await db
    .insertInto('cortex_requests')
    .values({ conversation_id: conv.id, ticket_id: conv.ticket_id, mode, provider: ctx.llm ? 'openai-compatible' : OFFLINE.provider, model: ctx.llm?.model ?? OFFLINE.model, status: 'running', inputs: JSON.stringify({ text: text.slice(0, 20_000), direction: conv.direction }), steps: '{}', created_at: nowSeconds() })
    .returning('id')
    .executeTakeFirstOrThrow();

  try {
    const language = await timed('language', () => detectLanguage(text));
    const analysis = await timed('intents', () => analyseText(ctx, text, conv.direction === 'in'));
    const intents = [...analysis.intents];
    const parameters: Record<string, unknown> = { ...(await timed('extraction', () => extractParameters(text, language ?? undefined))) };
    const photos = await timed('ocr', () => readMeterPhotos(ctx, conv.id, conv.direction === 'in'));
    // A readable meter photo is a meter reading even when the text does not say so.
    const best = photos.filter((p) => p.status === 'success').sort((a, b) => b.confidence - a.confidence)[0];
    if (best) {
      parameters.meterValue ??= best.data.meterValue;
      if (!intents.some((i) => i.code === METER_INTENT)) intents.push({ code: METER_INTENT, confidence: best.confidence });
    }
    // An ambiguous meter photo is a meter reading for a person to confirm: the intent, no value.
    const unsure = photos.find((p) => p.status === 'needsConfirmation');
    if (!best && unsure && !intents.some((i) => i.code === METER_INTENT)) intents.push({ code: METER_INTENT, confidence: unsure.confidence });
    const outputs = {
      language, intents, parameters, summary: analysis.summary, replySuggestion: analysis.replySuggestion, fallback: analysis.fallback,
      attachments: photos.map(({ attachmentId, status, data }) => ({ attachmentId, status, data })),
    };

    const committed = await db.transaction().execute(async (trx) => {
      // The ticket first, as the store locks it (storeConversation.ts): taking the conversation
      // row first and the ticket second deadlocked on PostgreSQL against a store of the same
      // ticket (store: ticket → conversation index; here: conversation → ticket). The lock also
      // serialises two runs of one conversation, so the check below sees the other's commit.
      await lockTicket(trx, ctx.db.kind, conv.ticket_id);
      const fresh = await trx.selectFrom('conversations').select('cortex_request_id').where('id', '=', conv.id).executeTakeFirst();
      if (!fresh || fresh.cortex_request_id !== null) return false;
      const now = nowSeconds();
      const given = JSON.parse(conv.intent_codes) as string[];
      await trx.updateTable('conversations').set({
        cortex_request_id: cortex.id,
        intent_codes: JSON.stringify([...new Set([...given, ...intents.map((i) => i.code)])]),
        modified_at: now,
      }).where('id', '=', conv.id).execute();
      if (conv.direction === 'in') {
        const ticket = await trx.selectFrom('tickets').select('ai_support_level').where('id', '=', conv.ticket_id).executeTakeFirstOrThrow();
        const level = aiSupportLevelAfterAnalysis(ticket.ai_support_level);
        await trx.updateTable('tickets').set({
          cortex_request_id: cortex.id,
          ...(language ? { language: language === 'de' ? 'German' : 'English', language_code: language } : {}),
          ai_support_level: level,
          ...(analysis.summary ? { summary: analysis.summary } : {}),
          modified_at: now,
        }).where('id', '=', conv.ticket_id).execute();
        const first = await isFirstCustomerMessage(trx, conv.ticket_id, conv.id);
        const data = { ticketId: conv.ticket_id, conversationId: conv.id, userId: null, crmNotificationId: conv.crm_notification_id, intents: intents.map((i) => i.code) };
        await recordEvent(trx, { type: first ? 'ticketCreated' : 'ticketResponse', ticketId: conv.ticket_id, conversationId: conv.id, data, createdBy: null });
      }
      // Enneo intents (one active per ticket, agent, contract), and the dark-processing gate.
      await recordIntentsAndGate(trx, ctx, { conversation: conv, intents, parameters, text, language, photos }, now);
      await applyPhotoResults(trx, conv, photos, now);
      await trx.updateTable('cortex_requests').set({ provider: analysis.provider, model: analysis.model, status: 'success', outputs: JSON.stringify(outputs), steps: JSON.stringify(steps), finished_at: now }).where('id', '=', cortex.id).execute();
      return true;
    });
    if (!committed) {
      await failRun(ctx, cortex.id, conv.id, 'superseded by a concurrent run', steps);
      return 'skipped';
    }
    return 'done';
  } catch (err) {
    if (await failRun(ctx, cortex.id, conv.id, String((err as Error).message ?? err).slice(0, 2000), steps) === 'erased') return 'skipped';
    throw err;
  }
}

/**
 * Records a run that did not commit. When its conversation is gone (the ticket was erased while
 * the run was going) the run's row, which holds a copy of the message text, is deleted instead:
 * the erasure could not see it, it was written outside the erasing transaction.
 */
async function failRun(ctx: AppContext, cortexId: number, conversationId: number, error: string, steps: Record<string, number>): Promise<'failed' | 'erased'> {
  const db = ctx.db.kysely;
  if (!(await db.selectFrom('conversations').select('id').where('id', '=', conversationId).executeTakeFirst())) {
    await db.deleteFrom('cortex_requests').where('id', '=', cortexId).execute();
    return 'erased';
  }
  await db.updateTable('cortex_requests').set({ status: 'failed', error, steps: JSON.stringify(steps), finished_at: nowSeconds() }).where('id', '=', cortexId).execute();
  return 'failed';
}

async function applyPhotoResults(trx: Transaction<Database>, conv: { id: number; ticket_id: number; crm_notification_id: string | null }, photos: PhotoResult[], now: number) {
  for (const p of photos) {
    await trx.updateTable('attachments').set({ extraction_status: p.status, extraction_data: JSON.stringify(p.data) }).where('id', '=', p.attachmentId).execute();
    await recordEvent(trx, {
      type: 'attachmentExtracted', ticketId: conv.ticket_id, conversationId: conv.id, createdBy: null,
      data: { ticketId: conv.ticket_id, conversationId: conv.id, attachmentId: p.attachmentId, status: p.status, extractionData: p.data, crmNotificationId: conv.crm_notification_id, extractedAt: now },
    });
  }
}

/** `process=realtime`: run before answering within the budget; past it the batch job takes over. */
export async function processRealtime(ctx: AppContext, conversationId: number, budgetMs: number): Promise<{ pending: string[] }> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    processConversation(ctx, conversationId, 'realtime').then(() => 'done' as const, (err) => {
      ctx.log.warn({ err, conversationId }, 'realtime AI run failed; the batch job retries it');
      return 'failed' as const;
    }),
    new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), budgetMs))),
  ]);
  clearTimeout(timer);
  if (outcome === 'done') {
    // The safety-net job written with the conversation has nothing left to do.
    await finishQueuedJob(ctx.db, conversationJobKey(conversationId));
    return { pending: [] };
  }
  // Let the worker take over now rather than at the job's scheduled time.
  await runQueuedJobNow(ctx.db, conversationJobKey(conversationId));
  ctx.notifyJobs();
  return { pending: ['language', 'intents', 'extraction'] };
}

export async function getCortexRequest(ctx: AppContext, id: number) {
  const r = await ctx.db.kysely.selectFrom('cortex_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return null;
  return {
    id: r.id, conversationId: r.conversation_id, ticketId: r.ticket_id, mode: r.mode, provider: r.provider, model: r.model, status: r.status,
    inputs: JSON.parse(r.inputs) as unknown, outputs: r.outputs ? (JSON.parse(r.outputs) as unknown) : null, steps: JSON.parse(r.steps) as Record<string, number>,
    error: r.error, createdAt: r.created_at, finishedAt: r.finished_at,
  };
}

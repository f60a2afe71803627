import crypto from 'node:crypto';
import type { AppContext } from '../context.js';
import type { Actor } from '../auth/actor.js';
import type { TicketIntentRow } from '../db/schema.js';
import { Conflict, DomainError, Invalid, NotFound } from '../errors.js';
import { recordEvent } from '../events/eventLog.js';
import { replyToTicket } from '../replies/replyToTicket.js';
import { nowSeconds } from '../time.js';
import { buildActionRequest, callAction, type ActionRequest, type Phase } from './actionCall.js';
import { automationActor } from './automationActor.js';
import { serializeIntent, type Info, type Outcome } from './intentModel.js';
import { playbookOf, type Playbook, type ResponseCase } from './playbook.js';
import { renderTemplate, valueAt } from './template.js';

// Executing one intent, exactly once per intent (the one active intent of its ticket, AI agent and
// contract): a claim on the row keeps a second executor out; the action's answer is committed on
// the intent before the reply is created, so a rerun never calls the action again; the reply is
// looked for before it is created (one reply); the outcome lands on the intent and as an
// AutoProcessIntent event in one transaction. A rerun after a crash resumes where the first stopped.

export const EXECUTE_INTENT_TASK = 'executeIntent';
export const executeJobKey = (intentId: number) => `intent-execute:${intentId}`;
export const actionIdempotencyKey = (intentId: number) => `ticketmind-intent-${intentId}`;

export interface ExecuteOptions {
  /** who executes: `job:<id>` or `manual:<uuid>`; the same claimant takes its own claim over */
  claimant?: string;
  /** a person (POST /intent/{id}/execute); null = dark processing */
  user?: Actor | null;
  dryRun?: boolean;
  /** `preview`: call the action's preview phase (no side effects promised by the receiver) and render, send nothing */
  phase?: Phase;
}

export interface ExecuteResult {
  success: boolean;
  message: string;
  dryRun: boolean;
  intent: ReturnType<typeof serializeIntent>;
  reply: { language: string; text: string; then: ResponseCase['then']; missing: string[] } | null;
  actionRequest: ActionRequest | null;
  actionAnswer: unknown;
  conversationId: number | null;
}

async function load(ctx: AppContext, intentId: number) {
  const row = await ctx.db.kysely.selectFrom('ticket_intents').selectAll().where('id', '=', intentId).executeTakeFirst();
  if (!row) throw new NotFound('intent', intentId, 'id');
  const agent = await ctx.db.kysely.selectFrom('ai_agents').selectAll().where('id', '=', row.ai_agent_id).executeTakeFirst();
  const ticket = await ctx.db.kysely.selectFrom('tickets').selectAll().where('id', '=', row.ticket_id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!ticket) throw new NotFound('ticket', row.ticket_id, 'ticketId');
  return { row, agent, ticket };
}

function chooseCase(playbook: Playbook, answer: unknown): ResponseCase {
  for (const c of playbook.responses) {
    if (c.when === 'always') return c;
    const v = valueAt(answer, c.when.path);
    if (c.when.equals !== undefined ? v === c.when.equals : (v !== undefined && v !== null) === (c.when.exists ?? true)) return c;
  }
  return playbook.responses[playbook.responses.length - 1]!;
}

function pickLanguage(reply: Record<string, string>, ticketLanguage: string | null): string {
  if (ticketLanguage && reply[ticketLanguage]) return ticketLanguage;
  return reply.de ? 'de' : Object.keys(reply)[0]!;
}

function render(c: ResponseCase, row: TicketIntentRow, ticket: { id: number; subject: string; language_code: string | null }, answer: unknown) {
  const data = JSON.parse(row.data) as Record<string, unknown>;
  const language = pickLanguage(c.reply, ticket.language_code);
  const values = { ...data, customer: data.customer ?? {}, contract: data.contract ?? {}, action: answer ?? {}, ticket: { id: ticket.id, subject: ticket.subject } };
  const { text, missing } = renderTemplate(c.reply[language]!, values, language);
  return { language, text, then: c.then, missing };
}

function actionBody(row: TicketIntentRow, agentCode: string, ticket: { id: number; contract_id: string | null; customer_id: string | null; language_code: string | null }, playbook: Playbook) {
  const data = JSON.parse(row.data) as Record<string, unknown>;
  const parameters = Object.fromEntries(playbook.parameters.filter((p) => data[p.key] !== undefined).map((p) => [p.key, data[p.key]]));
  return { idempotencyKey: actionIdempotencyKey(row.id), ticketId: ticket.id, intentId: row.id, aiAgent: agentCode, contractId: row.contract_id ?? ticket.contract_id, customerId: ticket.customer_id, language: ticket.language_code, parameters };
}

export async function executeIntent(ctx: AppContext, intentId: number, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
  const { row, agent, ticket } = await load(ctx, intentId);
  const playbook = agent ? playbookOf(agent) : null;
  const base = { dryRun: opts.dryRun === true, actionRequest: null, actionAnswer: null, conversationId: row.reply_conversation_id, reply: null };
  if (row.status === 'executed') {
    const outcome = JSON.parse(row.outcome ?? 'null') as Outcome | null;
    return { ...base, success: outcome?.success ?? true, message: `already executed: ${outcome?.message ?? ''}`, intent: serializeIntent(row) };
  }
  if (!agent || !playbook) throw new Invalid('id', `intent ${intentId}: its AI agent has no playbook, so there is nothing to execute`, 'no_playbook');
  if (row.status !== 'ready') throw new Invalid('id', `intent ${intentId} is ${row.status}, not ready: ${missingMessage(row)}`, 'intent_not_ready');
  const phase: Phase = opts.phase ?? 'perform';
  const request = playbook.action ? buildActionRequest(ctx, playbook.action, actionIdempotencyKey(row.id), actionBody(row, agent.code, ticket, playbook), phase) : null;

  if (opts.dryRun) {
    // Nothing is called or sent: the reply of the first case, with the action's answer unknown.
    const c = playbook.action ? playbook.responses[0]! : chooseCase(playbook, null);
    return { ...base, success: true, message: 'dry run: nothing was called or sent', intent: serializeIntent(row), actionRequest: request, reply: render(c, row, ticket, {}) };
  }
  if (phase === 'preview') {
    const answer = playbook.action && request ? await callAction(ctx, playbook.action, request) : null;
    const preview = answer?.ok ? answer.answer : {};
    return { ...base, success: answer ? answer.ok : true, message: answer && !answer.ok ? answer.error : 'preview: the reply was not sent', intent: serializeIntent(row), actionRequest: request, actionAnswer: answer?.ok ? answer.answer : null, reply: render(chooseCase(playbook, preview), row, ticket, preview) };
  }

  const claimant = opts.claimant ?? `manual:${crypto.randomUUID()}`;
  await claim(ctx, row, claimant);
  try {
    // The action, once: its answer is committed before anything else happens.
    let answer: unknown = row.action_result ? JSON.parse(row.action_result) : null;
    if (playbook.action && request && answer === null) {
      const res = await callAction(ctx, playbook.action, request);
      if (!res.ok) return await fail(ctx, row, opts.user ?? null, `the action failed: ${res.error}`, request);
      answer = res.answer;
      await ctx.db.kysely.updateTable('ticket_intents').set({ action_result: JSON.stringify(answer), modified_at: nowSeconds() }).where('id', '=', row.id).execute();
    }
    const c = chooseCase(playbook, answer);
    const reply = render(c, row, ticket, answer);
    if (reply.missing.length) return await fail(ctx, row, opts.user ?? null, `the reply template needs ${reply.missing.join(', ')}, which are unknown`, request);

    const actor = opts.user ?? (await automationActor(ctx.db));
    let conversationId: number;
    try {
      conversationId = row.reply_conversation_id ?? (await findOwnReply(ctx, row, actor.agentId)) ?? (await createReply(ctx, row, reply, actor));
      // Test-only (NODE_ENV=test): the crash between the reply's commit and the outcome's, on purpose.
      if (ctx.config.AUTOMATION_TEST_KILL_AFTER_REPLY && ctx.config.NODE_ENV === 'test') process.kill(process.pid, 'SIGKILL');
    } catch (err) {
      // A reply the rules refuse (no recipient, …) is a failed run a person must see, not a job error.
      if (err instanceof DomainError) return await fail(ctx, row, opts.user ?? null, `the reply was refused: ${err.message}`, request);
      throw err;
    }
    await ctx.db.kysely.updateTable('ticket_intents').set({ reply_conversation_id: conversationId }).where('id', '=', row.id).execute();
    const conv = await ctx.db.kysely.selectFrom('conversations').select('delivery_status').where('id', '=', conversationId).executeTakeFirst();

    const now = nowSeconds();
    const outcome: Outcome = {
      success: c.success, message: c.success ? `answered (${reply.language})${c.then.status ? ` and set ${c.then.status}` : ''}` : 'answered; the action\'s answer asks for a person',
      executedAt: now, userId: opts.user?.agentId ?? null, sent: conv?.delivery_status !== 'draft' && conv !== undefined, ticketClosed: c.then.status === 'closed',
    };
    const infos: Info[] = [...(JSON.parse(row.infos ?? '[]') as Info[]), { type: c.success ? 'success' : 'warning', message: outcome.message }];
    await ctx.db.writeTransaction(async (trx) => {
      if (c.then.status === 'pending') {
        // The reply sets closed/open itself; pending needs a due date, which a reply cannot carry.
        const dueBy = now + (c.then.pendingDays ?? 7) * 86_400;
        await trx.updateTable('tickets').set({ status: 'pending', due_by: dueBy, modified_at: now }).where('id', '=', ticket.id).execute();
        await recordEvent(trx, { type: 'ticketUpdated', ticketId: ticket.id, createdBy: actor.agentId, data: { userId: actor.agentId, changes: { status: 'pending', dueBy }, ticketId: ticket.id } });
      }
      if (c.then.tag) {
        const tag = await trx.selectFrom('tags').select('id').where('name', '=', c.then.tag).executeTakeFirst();
        if (tag) await trx.insertInto('ticket_tags').values({ ticket_id: ticket.id, tag_id: tag.id }).onConflict((oc) => oc.columns(['ticket_id', 'tag_id']).doNothing()).execute();
        else infos.push({ type: 'warning', message: `tag ${c.then.tag} does not exist; not tagged` });
      }
      if (!c.success && !opts.user) await trx.updateTable('tickets').set({ ai_support_level: 'bot' }).where('id', '=', ticket.id).execute();
      await trx.updateTable('ticket_intents').set({
        status: 'executed', outcome: JSON.stringify(outcome), infos: JSON.stringify(infos), executed_at: now, executed_by: opts.user?.agentId ?? null,
        exec_claim: null, exec_claim_until: null, modified_at: now,
      }).where('id', '=', row.id).execute();
      await recordEvent(trx, { type: 'autoProcessIntent', ticketId: ticket.id, conversationId, createdBy: opts.user?.agentId ?? null, data: { ticketId: ticket.id, intentId: row.id, aiAgentId: row.ai_agent_id, code: row.code, conversationId, outcome } });
    });
    const fresh = await load(ctx, row.id);
    return { ...base, success: c.success, message: outcome.message, intent: serializeIntent(fresh.row), actionRequest: request, actionAnswer: answer, reply, conversationId };
  } catch (err) {
    await release(ctx, row.id, claimant);
    throw err;
  }
}

function missingMessage(row: TicketIntentRow): string {
  const infos = JSON.parse(row.infos ?? '[]') as Info[];
  return infos.filter((i) => i.type !== 'success').map((i) => i.message).join('; ') || 'see the intent\'s infos';
}

async function claim(ctx: AppContext, row: TicketIntentRow, claimant: string): Promise<void> {
  const now = Date.now();
  const res = await ctx.db.kysely.updateTable('ticket_intents')
    .set({ exec_claim: claimant, exec_claim_until: now + ctx.config.AUTOMATION_LEASE_SECONDS * 1000 })
    .where('id', '=', row.id).where('status', '=', 'ready')
    .where((eb) => eb.or([eb('exec_claim', 'is', null), eb('exec_claim', '=', claimant), eb('exec_claim_until', '<', now)]))
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new Conflict(`intent ${row.id} is being executed right now`, 'id');
  // Where this execution's reply will be: after the ticket's last conversation of now (kept across reruns).
  const last = await ctx.db.kysely.selectFrom('conversations').select((eb) => eb.fn.max('id').as('id')).where('ticket_id', '=', row.ticket_id).executeTakeFirst();
  await ctx.db.kysely.updateTable('ticket_intents').set({ reply_after_conversation_id: Number(last?.id ?? 0) })
    .where('id', '=', row.id).where('reply_after_conversation_id', 'is', null).execute();
}

async function release(ctx: AppContext, intentId: number, claimant: string): Promise<void> {
  await ctx.db.kysely.updateTable('ticket_intents').set({ exec_claim: null, exec_claim_until: null }).where('id', '=', intentId).where('exec_claim', '=', claimant).execute();
}

/** A reply this execution created before it died: by its author, after the mark, not another intent's. */
async function findOwnReply(ctx: AppContext, row: TicketIntentRow, authorId: number): Promise<number | null> {
  const fresh = await ctx.db.kysely.selectFrom('ticket_intents').select('reply_after_conversation_id').where('id', '=', row.id).executeTakeFirstOrThrow();
  const taken = ctx.db.kysely.selectFrom('ticket_intents').select('reply_conversation_id').where('ticket_id', '=', row.ticket_id).where('reply_conversation_id', 'is not', null);
  const found = await ctx.db.kysely.selectFrom('conversations').select('id')
    .where('ticket_id', '=', row.ticket_id).where('direction', '=', 'out').where('agent_id', '=', authorId)
    .where('id', '>', fresh.reply_after_conversation_id ?? 0).where('id', 'not in', taken as never)
    .orderBy('id').limit(1).executeTakeFirst();
  return found?.id ?? null;
}

async function createReply(ctx: AppContext, row: TicketIntentRow, reply: { text: string; then: ResponseCase['then'] }, actor: Actor): Promise<number> {
  const status = reply.then.status === 'pending' ? undefined : reply.then.status;
  const res = await replyToTicket(ctx, row.ticket_id, { body: reply.text, ...(status ? { status } : {}) }, actor);
  return res.conversationId;
}

async function fail(ctx: AppContext, row: TicketIntentRow, user: Actor | null, message: string, request: ActionRequest | null): Promise<ExecuteResult> {
  const now = nowSeconds();
  const outcome: Outcome = { success: false, message, executedAt: now, userId: user?.agentId ?? null, sent: false, ticketClosed: false };
  const infos: Info[] = [...(JSON.parse(row.infos ?? '[]') as Info[]).filter((i) => i.type !== 'success'), { type: 'danger', message }];
  await ctx.db.writeTransaction(async (trx) => {
    // The intent stays ready (a person may execute it); the ticket goes back to a person.
    await trx.updateTable('ticket_intents').set({ outcome: JSON.stringify(outcome), infos: JSON.stringify(infos), exec_claim: null, exec_claim_until: null, modified_at: now }).where('id', '=', row.id).execute();
    if (!user) await trx.updateTable('tickets').set({ ai_support_level: 'bot' }).where('id', '=', row.ticket_id).execute();
    await recordEvent(trx, { type: 'autoProcessIntent', ticketId: row.ticket_id, createdBy: user?.agentId ?? null, data: { ticketId: row.ticket_id, intentId: row.id, aiAgentId: row.ai_agent_id, code: row.code, conversationId: null, outcome } });
  });
  const fresh = await load(ctx, row.id);
  return { success: false, message, dryRun: false, intent: serializeIntent(fresh.row), reply: null, actionRequest: request, actionAnswer: null, conversationId: null };
}

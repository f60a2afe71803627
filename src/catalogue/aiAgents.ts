import type { Db } from '../db/dialect.js';
import type { AiAgentRow } from '../db/schema.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { isUniqueViolation } from '../db/dialect.js';
import { nowSeconds } from '../time.js';
import { playbookOf, validatePlaybook } from '../automation/playbook.js';

export function serializeAiAgent(r: AiAgentRow, opts: { withExamples?: boolean } = {}) {
  const examples = JSON.parse(r.examples) as Record<string, string[]>;
  return {
    id: r.id,
    code: r.code,
    name: r.name_en,
    names: { de: r.name_de, en: r.name_en },
    description: r.description,
    enabled: r.enabled === 1,
    exampleCount: Object.fromEntries(Object.entries(examples).map(([lang, list]) => [lang, list.length])),
    // What dark processing does with this agent (src/automation/playbook.ts): its own, or the shipped default.
    playbook: playbookOf(r),
    playbookSource: r.playbook !== null ? 'own' : playbookOf(r) ? 'shipped' : null,
    ...(opts.withExamples ? { examples } : {}),
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
  };
}

export interface AiAgentListQuery {
  /** Case-insensitive substring of the code, a name or the description. */
  q?: string;
  /** Every AI agent here serves every channel, so a (valid) channel narrows nothing. */
  channel?: string;
  limit?: number;
}

/** GET /aiAgents and /aiAgent: the catalogue (dozens of rows), filtered in memory. */
export async function listAiAgents(db: Db, query: AiAgentListQuery = {}) {
  const rows = await db.kysely.selectFrom('ai_agents').selectAll().orderBy('id').execute();
  const needle = query.q?.trim().toLowerCase();
  const hits = needle ? rows.filter((r) => [r.code, r.name_de, r.name_en, r.description].some((s) => s.toLowerCase().includes(needle))) : rows;
  return hits.slice(0, query.limit ?? hits.length).map((r) => serializeAiAgent(r));
}

export async function getAiAgent(db: Db, id: number, opts: { withExamples?: boolean } = {}) {
  const r = await db.kysely.selectFrom('ai_agents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new NotFound('AI agent', id, 'id');
  return serializeAiAgent(r, opts);
}

export interface AiAgentInput {
  code?: string | null;
  name?: string | { de?: string; en?: string } | null;
  description?: string | null;
  examples?: Record<string, string[]> | null;
  enabled?: boolean | null;
  playbook?: unknown;
}

const CODE = /^[a-z][a-z0-9_]{2,99}$/;

function names(name: AiAgentInput['name'], fallback?: { de: string; en: string }) {
  if (typeof name === 'string') return { de: name, en: name };
  return { de: name?.de ?? fallback?.de ?? name?.en ?? '', en: name?.en ?? fallback?.en ?? name?.de ?? '' };
}

function checkExamples(ex: Record<string, string[]>) {
  for (const [lang, list] of Object.entries(ex)) {
    if (!/^[a-z]{2}$/.test(lang)) throw new Invalid(`examples.${lang}`, 'languages are ISO 639-1 codes such as de or en');
    list.forEach((t, i) => {
      if (!t.trim()) throw new Invalid(`examples.${lang}[${i}]`, 'must not be empty');
    });
  }
}

export async function createAiAgent(db: Db, input: AiAgentInput & { code: string }) {
  if (!CODE.test(input.code)) throw new Invalid('code', '3 to 100 characters: a lower-case letter, then lower-case letters, digits and _ (no upper case, spaces or ?), e.g. ai_agent_meter_reading');
  const n = names(input.name);
  if (!n.en) throw new Invalid('name', 'required');
  const examples = input.examples ?? {};
  checkExamples(examples);
  const playbook = input.playbook != null ? JSON.stringify(validatePlaybook(input.playbook)) : null;
  const now = nowSeconds();
  try {
    const row = await db.kysely
      .insertInto('ai_agents')
      .values({ code: input.code, name_de: n.de, name_en: n.en, description: input.description ?? '', examples: JSON.stringify(examples), enabled: input.enabled === false ? 0 : 1, playbook, created_at: now, modified_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return serializeAiAgent(row, { withExamples: true });
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(`an AI agent with code ${input.code} exists`, 'code');
    throw err;
  }
}

export async function updateAiAgent(db: Db, id: number, input: AiAgentInput) {
  const cur = await db.kysely.selectFrom('ai_agents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!cur) throw new NotFound('AI agent', id, 'id');
  if (input.code != null && input.code !== cur.code) throw new Invalid('code', 'the code of an AI agent cannot change (tickets refer to it)');
  const set: Partial<AiAgentRow> = { modified_at: nowSeconds() };
  if (input.name != null) {
    const n = names(input.name, { de: cur.name_de, en: cur.name_en });
    set.name_de = n.de;
    set.name_en = n.en;
  }
  if (input.description != null) set.description = input.description;
  if (input.examples != null) {
    checkExamples(input.examples);
    set.examples = JSON.stringify(input.examples);
  }
  if (input.enabled != null) set.enabled = input.enabled ? 1 : 0;
  if (input.playbook != null) set.playbook = JSON.stringify(validatePlaybook(input.playbook));
  await db.kysely.updateTable('ai_agents').set(set).where('id', '=', id).execute();
  return getAiAgent(db, id, { withExamples: true });
}

export async function deleteAiAgent(db: Db, id: number) {
  const res = await db.kysely.deleteFrom('ai_agents').where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFound('AI agent', id, 'id');
}

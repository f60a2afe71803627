import type { Db } from '../db/dialect.js';
import type { AiAgentRow } from '../db/schema.js';
import { NotFound } from '../errors.js';

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
    ...(opts.withExamples ? { examples } : {}),
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
  };
}

export async function listAiAgents(db: Db) {
  const rows = await db.kysely.selectFrom('ai_agents').selectAll().orderBy('id').execute();
  return rows.map((r) => serializeAiAgent(r));
}

export async function getAiAgent(db: Db, id: number, opts: { withExamples?: boolean } = {}) {
  const r = await db.kysely.selectFrom('ai_agents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new NotFound('AI agent', id, 'id');
  return serializeAiAgent(r, opts);
}

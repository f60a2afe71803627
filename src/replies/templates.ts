import { isUniqueViolation, type Db } from '../db/dialect.js';
import type { ReplyTemplateTable, TicketRow } from '../db/schema.js';
import type { Selectable } from 'kysely';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { renderTemplate } from '../automation/template.js';
import { nowSeconds } from '../time.js';

/**
 * Reply templates: a named answer with a subject and a body per language (de, en), whose
 * `{{placeholders}}` are filled when a reply names it — `template: {id, data?, language?}` (or
 * Enneo's `templateId` / `templateData`). The values are the ticket's (`{{ticket.id}}`,
 * `{{ticket.subject}}`, `{{customer.name}}`, `{{customer.email}}`, `{{agent.name}}`) and `data`
 * given with the reply; the renderer is the one dark processing uses (HTML-escaped, linear).
 * A placeholder with no value is a 422 naming it, so no customer gets "Dear ,".
 */

type Row = Selectable<ReplyTemplateTable>;
type PerLanguage = { de?: string | null; en?: string | null };

export interface TemplateInput {
  name?: string | null;
  subject?: PerLanguage | string | null;
  body?: PerLanguage | string | null;
}

export interface TemplateRef {
  id: number;
  data?: Record<string, unknown> | null;
  language?: string | null;
}

const perLanguage = (v: PerLanguage | string | null | undefined): Record<string, string> => {
  if (v == null) return {};
  if (typeof v === 'string') return { de: v, en: v };
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
};

export function serializeTemplate(r: Row) {
  return { id: r.id, name: r.name, subject: JSON.parse(r.subjects) as Record<string, string>, body: JSON.parse(r.bodies) as Record<string, string>, createdAt: r.created_at, modifiedAt: r.modified_at };
}

export async function listTemplates(db: Db) {
  return (await db.kysely.selectFrom('reply_templates').selectAll().orderBy('name').execute()).map(serializeTemplate);
}

export async function getTemplate(db: Db, id: number) {
  const row = await db.kysely.selectFrom('reply_templates').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('template', id, 'id');
  return serializeTemplate(row);
}

export async function createTemplate(db: Db, input: TemplateInput & { name: string }) {
  const bodies = perLanguage(input.body);
  if (Object.keys(bodies).length === 0) throw new Invalid('body', 'a template needs a body in at least one language (de or en)');
  const now = nowSeconds();
  try {
    const row = await db.kysely.insertInto('reply_templates')
      .values({ name: input.name, subjects: JSON.stringify(perLanguage(input.subject)), bodies: JSON.stringify(bodies), created_at: now, modified_at: now })
      .returningAll().executeTakeFirstOrThrow();
    return serializeTemplate(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(`a template named ${input.name} exists`, 'name');
    throw err;
  }
}

export async function updateTemplate(db: Db, id: number, input: TemplateInput) {
  const cur = await db.kysely.selectFrom('reply_templates').selectAll().where('id', '=', id).executeTakeFirst();
  if (!cur) throw new NotFound('template', id, 'id');
  const bodies = input.body !== undefined ? perLanguage(input.body) : (JSON.parse(cur.bodies) as Record<string, string>);
  if (Object.keys(bodies).length === 0) throw new Invalid('body', 'a template needs a body in at least one language (de or en)');
  try {
    await db.kysely.updateTable('reply_templates').set({
      ...(input.name != null ? { name: input.name } : {}),
      ...(input.subject !== undefined ? { subjects: JSON.stringify(perLanguage(input.subject)) } : {}),
      bodies: JSON.stringify(bodies),
      modified_at: nowSeconds(),
    }).where('id', '=', id).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(`a template named ${input.name} exists`, 'name');
    throw err;
  }
  return getTemplate(db, id);
}

export async function deleteTemplate(db: Db, id: number): Promise<void> {
  const res = await db.kysely.deleteFrom('reply_templates').where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFound('template', id, 'id');
}

/** The reply's template reference, from `template: {id, …}` / `template: id` or `templateId` + `templateData`. */
export function templateRefOf(input: { template?: unknown; templateId?: unknown; templateData?: unknown }): TemplateRef | null {
  const t = input.template ?? (input.templateId != null ? { id: input.templateId, data: input.templateData } : null);
  if (t === null || t === undefined || t === '' || t === false || t === 0 || (typeof t === 'object' && Object.keys(t).length === 0)) return null;
  const ref = typeof t === 'number' ? { id: t } : (t as Record<string, unknown>);
  if (typeof ref !== 'object' || !Number.isSafeInteger(ref.id) || (ref.id as number) < 1) throw new Invalid('template.id', 'is the id of a reply template (GET /api/mind/template)');
  if (ref.data != null && (typeof ref.data !== 'object' || Array.isArray(ref.data))) throw new Invalid('template.data', 'is an object of placeholder values');
  return { id: ref.id as number, data: (ref.data as Record<string, unknown> | null | undefined) ?? null, language: typeof ref.language === 'string' ? ref.language : null };
}

/** The template rendered for a ticket: body (HTML) and subject, in the ticket's language (else German, else the other one). */
export async function renderReplyTemplate(db: Db, ref: TemplateRef, ticket: TicketRow, agent: { name: string } | null): Promise<{ body: string; subject: string | null }> {
  const row = await db.kysely.selectFrom('reply_templates').selectAll().where('id', '=', ref.id).executeTakeFirst();
  if (!row) throw new Invalid('template.id', `reply template ${ref.id} does not exist`, 'unknown_template');
  const bodies = JSON.parse(row.bodies) as Record<string, string>;
  const subjects = JSON.parse(row.subjects) as Record<string, string>;
  const wanted = ref.language ?? ticket.language_code ?? 'de';
  const language = bodies[wanted] ? wanted : bodies.de ? 'de' : Object.keys(bodies)[0]!;
  const values = {
    ticket: { id: ticket.id, subject: ticket.subject },
    customer: { name: ticket.from_name, email: ticket.from_email },
    agent: agent ? { name: agent.name } : null,
    ...(ref.data ?? {}),
  };
  const body = renderTemplate(bodies[language]!, values, language);
  const subject = subjects[language] ? renderTemplate(subjects[language], values, language) : null;
  const missing = [...new Set([...body.missing, ...(subject?.missing ?? [])])];
  if (missing.length > 0) throw new Invalid('template.data', `no value for ${missing.map((m) => `{{${m}}}`).join(', ')} in template ${row.name}`, 'template_value_missing');
  return { body: body.text, subject: subject?.text ?? null };
}

import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import { BadRequest } from '../errors.js';
import { parseDateInput } from '../time.js';
import { ilike, type DbKind } from '../db/dialect.js';

// Enneo's search filters (`{key, comparator, value|values|from|to}`) turned into SQL, for
// tickets (`t.` keys) and events (`e.` keys). Keys map to columns through a whitelist, so
// nothing a client sends reaches SQL as text.

export interface FilterInput {
  key: string;
  comparator?: string;
  value?: unknown;
  values?: unknown[];
  from?: unknown;
  to?: unknown;
}

export type FieldKind = 'int' | 'text' | 'date';
export interface FieldSpec {
  column: string;
  kind: FieldKind;
  /** a value that means "no restriction" (Enneo sends channel "all") */
  wildcard?: string;
  /** custom condition for keys that live in another table */
  custom?: (eb: ExpressionBuilder<any, any>, comparator: string, values: unknown[]) => Expression<SqlBool>;
}

/** The most filter values one search may carry, over all its filters (each becomes a bound parameter). */
export const MAX_FILTER_VALUES = 500;

/** Own-property lookup: a client key such as `constructor` or `__proto__` must not find Object.prototype. */
export function lookup<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export const COMPARATORS = ['=', '!=', 'in', 'notIn', '<', '>', '<=', '>=', 'between', 'like'] as const;

function coerce(spec: FieldSpec, v: unknown, field: string): string | number {
  if (spec.kind === 'date') return parseDateInput(v, field);
  if (spec.kind === 'int') {
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new BadRequest(field, `expected an integer, got ${JSON.stringify(v)}`, 'invalid_filter_value');
    return n;
  }
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw new BadRequest(field, `expected a string, got ${JSON.stringify(v)}`, 'invalid_filter_value');
}

export function buildFilterConditions(
  eb: ExpressionBuilder<any, any>,
  filters: FilterInput[],
  fields: Record<string, FieldSpec>,
  prefix: string,
  kind: DbKind,
): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  let valueCount = 0;
  filters.forEach((f, i) => {
    const at = `filters[${i}]`;
    // The docs' generated example sends unprefixed keys ("channel"); accept them as `t.channel`.
    const spec = lookup(fields, f.key) ?? lookup(fields, `${prefix}${f.key}`);
    if (!spec) throw new BadRequest(`${at}.key`, `unknown filter key "${f.key}"; known: ${Object.keys(fields).join(', ')}`, 'unknown_filter_key');
    const comparator = f.comparator ?? (f.values ? 'in' : '=');
    if (!(COMPARATORS as readonly string[]).includes(comparator)) {
      throw new BadRequest(`${at}.comparator`, `unknown comparator "${comparator}"; use ${COMPARATORS.join(', ')}`, 'unknown_comparator');
    }
    let raw: unknown[];
    if (comparator === 'between') {
      if (f.from === undefined || f.to === undefined) throw new BadRequest(at, 'between needs from and to', 'invalid_filter');
      raw = [f.from, f.to];
    } else if (comparator === 'in' || comparator === 'notIn') {
      raw = f.values ?? (f.value !== undefined ? [f.value] : []);
      if (raw.length === 0) throw new BadRequest(`${at}.values`, `${comparator} needs values`, 'invalid_filter');
    } else {
      const v = f.value !== undefined ? f.value : f.values?.length === 1 ? f.values[0] : undefined;
      if (v === undefined) throw new BadRequest(`${at}.value`, `${comparator} needs a value`, 'invalid_filter');
      raw = [v];
    }
    valueCount += raw.length;
    if (valueCount > MAX_FILTER_VALUES) {
      throw new BadRequest(`${at}.values`, `a search may carry at most ${MAX_FILTER_VALUES} filter values in all`, 'too_many_filter_values');
    }
    if (comparator === 'like' && spec.kind !== 'text') {
      throw new BadRequest(`${at}.comparator`, `like applies to text fields; "${f.key}" is a ${spec.kind === 'int' ? 'number' : 'date'}`, 'invalid_comparator');
    }
    if (spec.wildcard !== undefined && raw.some((v) => v === spec.wildcard)) return;
    if (spec.custom) {
      out.push(spec.custom(eb, comparator, raw.map((v, j) => coerce(spec, v, `${at}.values[${j}]`))));
      return;
    }
    const vals = raw.map((v, j) => coerce(spec, v, `${at}.value${raw.length > 1 ? `s[${j}]` : ''}`));
    const col = eb.ref(spec.column);
    switch (comparator) {
      case 'in':
        out.push(eb(col, 'in', vals));
        break;
      case 'notIn':
        out.push(eb(col, 'not in', vals));
        break;
      case 'between':
        out.push(eb.and([eb(col, '>=', vals[0]!), eb(col, '<=', vals[1]!)]));
        break;
      case 'like':
        out.push(likeEscaped(spec.column, `%${escapeLike(String(vals[0]))}%`, kind));
        break;
      default:
        out.push(eb(col, comparator as '=' | '!=' | '<' | '>' | '<=' | '>=', vals[0]!));
    }
  });
  return out;
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `col LIKE pattern ESCAPE '\'` in a form both dialects accept. */
export function likeEscaped(column: string, pattern: string, kind: DbKind) {
  return sql<SqlBool>`${sql.ref(column)} ${sql.raw(ilike(kind))} ${pattern} escape '\\'`;
}

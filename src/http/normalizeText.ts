import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../errors.js';

/**
 * Text as both databases store it: PostgreSQL refuses NUL in text columns (a 500 where SQLite
 * stores it) and a lone surrogate cannot be encoded as UTF-8 (it comes back as U+FFFD from one
 * database and unchanged from the other). So NUL is removed and lone surrogates become U+FFFD,
 * once, on the way in, and every later step (including the answer) sees what is stored.
 */
// Both linear: one character class, each lookaround one fixed character (String#toWellFormed is ES2024, past our lib).
const suspect = /[\0\uD800-\uDFFF]/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function normalizeText(s: string): string {
  if (!suspect.test(s)) return s;
  return s.replaceAll('\0', '').replace(loneSurrogate, '\uFFFD');
}

export interface JsonLimits {
  /** nesting levels of objects and arrays; the top-level value is level 1 */
  maxDepth: number;
  /** keys of one object or elements of one array */
  maxEntries: number;
  /** objects, arrays and scalars in the whole body */
  maxValues: number;
}

// Deep enough for any rawData a CRM sends; shallow enough that JSON.stringify and the schema
// validator (both recursive) never come near the stack limit.
export const defaultJsonLimits: JsonLimits = { maxDepth: 64, maxEntries: 10_000, maxValues: 200_000 };

const pathOf = (parent: string, key: string | number): string => (typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key);

/**
 * Walks a parsed JSON value without recursion: enforces the limits (a 400 naming the path) and
 * normalises every string and key in place, so object identity is kept (large attachment values
 * are linked to their holder objects).
 */
export function checkAndNormalizeJson(root: unknown, limits: JsonLimits = defaultJsonLimits): unknown {
  if (typeof root === 'string') return normalizeText(root);
  if (root === null || typeof root !== 'object') return root;
  const stack: Array<{ value: object; path: string; depth: number }> = [{ value: root, path: '', depth: 1 }];
  let values = 1;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    const field = path || undefined;
    if (depth > limits.maxDepth) throw new BadRequest(field, `nested deeper than ${limits.maxDepth} levels`, 'too_deep');
    if (Array.isArray(value)) {
      const list = value as unknown[];
      if (list.length > limits.maxEntries) throw new BadRequest(field, `has more than ${limits.maxEntries} elements`, 'too_many_values');
      values += list.length;
      if (values > limits.maxValues) throw new BadRequest(field, `the body has more than ${limits.maxValues} values`, 'too_many_values');
      for (let i = 0; i < list.length; i++) {
        const v = list[i];
        if (typeof v === 'string') list[i] = normalizeText(v);
        else if (v !== null && typeof v === 'object') stack.push({ value: v, path: pathOf(path, i), depth: depth + 1 });
      }
      continue;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length > limits.maxEntries) throw new BadRequest(field, `has more than ${limits.maxEntries} keys`, 'too_many_values');
    values += keys.length;
    if (values > limits.maxValues) throw new BadRequest(field, `the body has more than ${limits.maxValues} values`, 'too_many_values');
    for (const key of keys) {
      let k = key;
      const clean = normalizeText(key);
      if (clean !== key) {
        if (clean === '__proto__') throw new BadRequest(pathOf(path, clean), 'is not allowed as a key', 'invalid_key');
        // A rare key with NUL or a lone surrogate: renamed; if the clean name is taken, the later one wins, as in JSON.parse.
        Object.defineProperty(record, clean, { value: record[key], writable: true, enumerable: true, configurable: true });
        delete record[key];
        k = clean;
      }
      const v = record[k];
      if (typeof v === 'string') record[k] = normalizeText(v);
      else if (v !== null && typeof v === 'object') stack.push({ value: v, path: pathOf(path, k), depth: depth + 1 });
    }
  }
  return root;
}

type QueryValue = string | string[] | undefined;

/** The query string gets the same normalisation as bodies, before validation sees it. */
export function registerQueryNormalisation(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const query = request.query as Record<string, QueryValue> | null;
    if (!query || typeof query !== 'object') return;
    for (const key of Object.keys(query)) {
      const v = query[key];
      if (typeof v === 'string') query[key] = normalizeText(v);
      else if (Array.isArray(v)) query[key] = v.map((x) => (typeof x === 'string' ? normalizeText(x) : x));
    }
  });
}

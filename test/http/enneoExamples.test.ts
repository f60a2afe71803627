import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, defaultSubchannel } from '../helpers/app.js';

// Replays the real requests of Enneo's documentation and client code (shared/spec) in file
// order, with placeholders bound to ids that exist, and checks status and response shape.

const FILE = process.env.ENNEO_EXAMPLES_FILE ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/spec/enneo-examples.json');

interface Example {
  id: string;
  method: string;
  path: string;
  query: Record<string, string> | null;
  body: unknown;
  capture?: Record<string, string>;
  fallbacks?: Record<string, unknown>;
  retrySeconds?: number;
  expect: { status: number; tolerate?: number[]; responseShape: string[] };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Values at a path like `a.b`, `a[0].c`, `a[*].d` (`*`: any element). */
function valuesAt(root: unknown, p: string): unknown[] {
  const steps = p.replace(/\[(\d+|\*)\]/g, '.$1').split('.').filter(Boolean);
  let cur: unknown[] = [root];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (s === '*' && Array.isArray(v)) next.push(...v);
      else if (v !== null && typeof v === 'object' && s in (v as object)) next.push((v as Record<string, unknown>)[s]);
    }
    cur = next;
  }
  return cur;
}

export function shapeProblems(body: unknown, shape: string[]): string[] {
  const problems: string[] = [];
  for (const entry of shape) {
    const i = entry.lastIndexOf(':');
    const p = entry.slice(0, i);
    const types = entry.slice(i + 1).split('|');
    const vals = valuesAt(body, p);
    if (p.includes('[*]')) {
      // `a[*].x:T` — some element satisfies it (all entries with [*] are checked on the same element below)
      continue;
    }
    if (vals.length === 0) problems.push(`${p} missing`);
    else if (!types.includes(typeOf(vals[0]))) problems.push(`${p} is ${typeOf(vals[0])}, expected ${types.join('|')}`);
  }
  const starred = shape.filter((e) => e.includes('[*]'));
  if (starred.length) {
    const arrayPath = starred[0]!.slice(0, starred[0]!.indexOf('[*]'));
    const elems = valuesAt(body, `${arrayPath}[*]`);
    const ok = elems.some((el) =>
      starred.every((e) => {
        const i = e.lastIndexOf(':');
        const rest = e.slice(e.indexOf('[*]') + 3, i).replace(/^\./, '');
        const vals = rest ? valuesAt(el, rest) : [el];
        return vals.length > 0 && e.slice(i + 1).split('|').includes(typeOf(vals[0]));
      }),
    );
    if (!ok) problems.push(`no element of ${arrayPath} has ${starred.join(', ')}`);
  }
  return problems;
}

function bind(v: Json, vars: Record<string, number>): Json {
  if (typeof v === 'string') {
    const m = /^\{(\w+)(:string)?\}$/.exec(v);
    if (m && m[1]! in vars) return m[2] ? String(vars[m[1]!]) : vars[m[1]!]!;
    return v.replace(/\{(\w+)\}/g, (all, k: string) => (k in vars ? String(vars[k]) : all));
  }
  if (Array.isArray(v)) return v.map((x) => bind(x, vars));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bind(x, vars)]));
  return v;
}

if (!fs.existsSync(FILE) && process.env.CI === 'true') {
  // CI must prove the Enneo contract; a missing spec there is a broken checkout, not a skip.
  throw new Error(`CI=true but the Enneo examples are missing: ${FILE}`);
} else if (!fs.existsSync(FILE)) {
  console.log(`# Enneo examples SKIPPED: ${FILE} not found (it lives in the project's shared/ folder beside the repo)`);
} else {
  const examples = JSON.parse(fs.readFileSync(FILE, 'utf8')) as Example[];
  describeEachDb('Enneo examples replay', (app) => {
    const vars: Record<string, number> = {};
    it('binds placeholders to things that exist', async () => {
      const t = app();
      vars.ticketId = await createTicket(t, { subject: 'Replay ticket one' });
      vars.ticketId2 = await createTicket(t, { subject: 'Replay ticket two' });
      vars.subchannelId = await defaultSubchannel(t, 'email');
      vars.agentId = 1;
      const tag = await t.call('POST', '/api/mind/tag', { name: 'replay' });
      vars.tagId = tag.json().id;
    });
    for (const ex of examples) {
      it(`${ex.id}: ${ex.method} ${ex.path}`, async () => {
        const t = app();
        const url = bind(ex.path, vars) as string;
        const qs = ex.query ? `?${new URLSearchParams(bind(ex.query as Json, vars) as Record<string, string>)}` : '';
        const body = ex.body === null ? undefined : bind(ex.body as Json, vars);
        const deadline = Date.now() + (ex.retrySeconds ?? 0) * 1000;
        for (;;) {
          const res = await t.call(ex.method, url + qs, body);
          const json = res.json();
          if (res.statusCode !== ex.expect.status && ex.expect.tolerate?.includes(res.statusCode)) {
            assert.equal(json.success, false, `${ex.id}: tolerated ${res.statusCode} must be the JSON error shape`);
            assert.equal(typeof json.error?.code, 'string');
            assert.equal(typeof json.error?.message, 'string');
            console.log(`# ${ex.id}: tolerated ${res.statusCode} ${json.error.code}: ${json.error.message}`);
            return;
          }
          const problems = res.statusCode === ex.expect.status ? shapeProblems(json, ex.expect.responseShape) : [`status ${res.statusCode}: ${res.body.slice(0, 300)}`];
          if (problems.length === 0) {
            for (const [name, from] of Object.entries(ex.capture ?? {})) vars[name] = valuesAt(json, from)[0] as number;
            return;
          }
          if (Date.now() > deadline) assert.fail(`${ex.id}: ${problems.join('; ')}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      });
    }
  });
}

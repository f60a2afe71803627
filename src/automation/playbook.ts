import fs from 'node:fs';
import { CATALOGUE_FILE } from '../bootstrap.js';
import { Invalid } from '../errors.js';
import { CONFIRM_BELOW } from '../ai/ocr/readMeter.js';

// An AI agent's playbook: what it needs to know (parameters), whom it asks (an optional action:
// an HTTPS call to the customer's system), what it answers (response cases → reply template per
// language → close / pending / tag) and whether it may do all that without a person (autoExecute,
// minConfidence, dailyCap). Validated here, the one place, on PATCH /api/mind/aiAgent/{id}.

export const SOURCES = ['message', 'ticket', 'customer', 'contract'] as const;
export const EXTRACTORS = ['meterValue', 'meterNumber', 'iban', 'date', 'contractNumber', 'customerNumber', 'pattern'] as const;
export const TICKET_FIELDS = ['contractId', 'customerId', 'fromEmail', 'fromName', 'subject'] as const;
export const PATTERN_SHAPES = ['digits', 'alphanumeric'] as const;

export interface ParameterSpec {
  key: string;
  type: 'string' | 'number' | 'date';
  required: boolean;
  source: (typeof SOURCES)[number];
  /** source message: how the value is read from the text */
  extractor?: (typeof EXTRACTORS)[number];
  /** extractor pattern: a label ("Kundennummer") followed by a value of this shape — no free regex over customer text */
  label?: string;
  shape?: (typeof PATTERN_SHAPES)[number];
  /** source ticket / customer / contract: the field read */
  field?: string;
}

export interface ActionSpec {
  /** https://… or a path resolved against CUSTOMER_SYSTEM_URL */
  url: string;
  method: 'POST' | 'PUT';
  timeoutMs: number;
  /** further attempts after a network error or 5xx */
  retries: number;
}

export type Condition = 'always' | { path: string; equals?: string | number | boolean | null; exists?: boolean };

export interface ResponseCase {
  when: Condition;
  /** false: this case means the run failed (the ticket stays with a person, 207 on the manual routes) */
  success: boolean;
  /** reply template per language (ISO 639-1); at least one */
  reply: Record<string, string>;
  then: { status?: 'closed' | 'pending' | 'open'; pendingDays?: number; tag?: string };
}

export interface Playbook {
  autoExecute: boolean;
  minConfidence: number;
  /** automated executions per agent per UTC day; 0 = no limit */
  dailyCap: number;
  /** a meter reading read only from a photo is automated when the OCR is at least this sure */
  photoMinConfidence: number;
  parameters: ParameterSpec[];
  action: ActionSpec | null;
  responses: ResponseCase[];
}

const KEY = /^[a-zA-Z][a-zA-Z0-9_]{0,49}$/;
const PATH = /^[a-zA-Z0-9_]{1,50}(?:\.[a-zA-Z0-9_]{1,50}){0,7}$/;
const LANG = /^[a-z]{2}$/;
const TEMPLATE_MAX = 20_000;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new Invalid(field, `one of ${allowed.join(', ')}`);
  return v as T;
}
function num(field: string, v: unknown, min: number, max: number, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new Invalid(field, `a number from ${min} to ${max}`);
  return v;
}
function bool(field: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new Invalid(field, 'true or false');
  return v;
}

/** The placeholders a template may use: parameter keys, customer.*, contract.*, action.*, ticket.id|subject. */
export function placeholders(template: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    const open = template.indexOf('{{', i);
    if (open < 0) return out;
    const close = template.indexOf('}}', open + 2);
    if (close < 0) return out;
    out.push(template.slice(open + 2, close).trim());
    i = close + 2;
  }
}

function checkTemplate(field: string, t: unknown, keys: Set<string>): string {
  if (typeof t !== 'string' || !t.trim()) throw new Invalid(field, 'a non-empty template text');
  if (t.length > TEMPLATE_MAX) throw new Invalid(field, `at most ${TEMPLATE_MAX} characters`);
  for (const p of placeholders(t)) {
    if (!PATH.test(p)) throw new Invalid(field, `placeholder {{${p.slice(0, 60)}}} is not a name such as meterValue or customer.firstName`);
    const head = p.split('.')[0]!;
    if (!keys.has(p) && !['customer', 'contract', 'action', 'ticket'].includes(head)) {
      throw new Invalid(field, `placeholder {{${p}}} is neither a parameter of this playbook nor customer.*, contract.*, action.* or ticket.*`);
    }
  }
  return t;
}

function checkCondition(field: string, w: unknown): Condition {
  if (w === 'always' || w === undefined || w === null) return 'always';
  if (!isObj(w)) throw new Invalid(field, '"always" or {path, equals} / {path, exists}');
  if (typeof w.path !== 'string' || !PATH.test(w.path)) throw new Invalid(`${field}.path`, 'a dotted path into the action\'s answer such as result.accepted');
  const c: Exclude<Condition, 'always'> = { path: w.path };
  if ('equals' in w) {
    const e = w.equals;
    if (!(e === null || ['string', 'number', 'boolean'].includes(typeof e))) throw new Invalid(`${field}.equals`, 'a string, number, boolean or null');
    c.equals = e as string | number | boolean | null;
  } else if ('exists' in w) {
    c.exists = bool(`${field}.exists`, w.exists, true);
  } else throw new Invalid(field, 'needs equals or exists');
  return c;
}

export function validatePlaybook(input: unknown, field = 'playbook'): Playbook {
  if (!isObj(input)) throw new Invalid(field, 'an object');
  const rawParams = input.parameters ?? [];
  if (!Array.isArray(rawParams) || rawParams.length > 30) throw new Invalid(`${field}.parameters`, 'a list of at most 30 parameters');
  const keys = new Set<string>();
  const parameters = rawParams.map((p: unknown, i): ParameterSpec => {
    const f = `${field}.parameters[${i}]`;
    if (!isObj(p)) throw new Invalid(f, 'an object {key, type, required, source, extractor}');
    if (typeof p.key !== 'string' || !KEY.test(p.key)) throw new Invalid(`${f}.key`, 'a name: a letter, then letters, digits or _ (at most 50)');
    if (keys.has(p.key)) throw new Invalid(`${f}.key`, `${p.key} appears twice`);
    keys.add(p.key);
    const spec: ParameterSpec = {
      key: p.key,
      type: oneOf(`${f}.type`, p.type ?? 'string', ['string', 'number', 'date'] as const),
      required: bool(`${f}.required`, p.required, false),
      source: oneOf(`${f}.source`, p.source ?? 'message', SOURCES),
    };
    if (spec.source === 'message') {
      spec.extractor = oneOf(`${f}.extractor`, p.extractor, EXTRACTORS);
      if (spec.extractor === 'pattern') {
        if (typeof p.label !== 'string' || p.label.trim().length < 2 || p.label.length > 60) throw new Invalid(`${f}.label`, 'the text before the value, 2 to 60 characters (e.g. Kundennummer)');
        spec.label = p.label.trim();
        spec.shape = oneOf(`${f}.shape`, p.shape ?? 'alphanumeric', PATTERN_SHAPES);
      }
    } else if (spec.source === 'ticket') {
      spec.field = oneOf(`${f}.field`, p.field, TICKET_FIELDS);
    } else {
      if (typeof p.field !== 'string' || !PATH.test(p.field)) throw new Invalid(`${f}.field`, `the ${spec.source} field to read, e.g. lastName`);
      spec.field = p.field;
    }
    return spec;
  });

  let action: ActionSpec | null = null;
  if (input.action !== undefined && input.action !== null) {
    const a = input.action;
    const f = `${field}.action`;
    if (!isObj(a)) throw new Invalid(f, 'an object {url, method, timeoutMs, retries}');
    if (typeof a.url !== 'string' || a.url.length > 2000) throw new Invalid(`${f}.url`, 'an https:// URL or a path such as /meter-readings (resolved against CUSTOMER_SYSTEM_URL)');
    if (!a.url.startsWith('/')) {
      let u: URL;
      try {
        u = new URL(a.url);
      } catch {
        throw new Invalid(`${f}.url`, 'not a URL');
      }
      // Plain http only for internal hosts that OUTBOUND_ALLOW_HOSTS admits (the outbound guard decides at call time).
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Invalid(`${f}.url`, 'https:// (or a path resolved against CUSTOMER_SYSTEM_URL)');
      if (u.username || u.password) throw new Invalid(`${f}.url`, 'no credentials in the URL; requests are signed (CUSTOMER_SYSTEM_SECRET)');
    }
    action = {
      url: a.url,
      method: oneOf(`${f}.method`, a.method ?? 'POST', ['POST', 'PUT'] as const),
      timeoutMs: num(`${f}.timeoutMs`, a.timeoutMs, 100, 60_000, 10_000),
      retries: num(`${f}.retries`, a.retries, 0, 5, 2),
    };
    if (!Number.isInteger(action.retries)) throw new Invalid(`${f}.retries`, 'a whole number');
  }

  const rawCases = input.responses ?? [];
  if (!Array.isArray(rawCases) || rawCases.length === 0 || rawCases.length > 20) throw new Invalid(`${field}.responses`, 'a list of 1 to 20 response cases');
  const responses = rawCases.map((r: unknown, i): ResponseCase => {
    const f = `${field}.responses[${i}]`;
    if (!isObj(r)) throw new Invalid(f, 'an object {when, reply, then}');
    const when = checkCondition(`${f}.when`, r.when);
    if (when !== 'always' && !action) throw new Invalid(`${f}.when`, 'conditions read the action\'s answer: this playbook has no action, so use "always"');
    if (!isObj(r.reply) || Object.keys(r.reply).length === 0) throw new Invalid(`${f}.reply`, 'templates per language, e.g. {"de": "…", "en": "…"}');
    const reply: Record<string, string> = {};
    for (const [lang, t] of Object.entries(r.reply)) {
      if (!LANG.test(lang)) throw new Invalid(`${f}.reply.${lang.slice(0, 10)}`, 'languages are ISO 639-1 codes such as de or en');
      reply[lang] = checkTemplate(`${f}.reply.${lang}`, t, keys);
    }
    const then = r.then ?? {};
    if (!isObj(then)) throw new Invalid(`${f}.then`, 'an object {status, pendingDays, tag}');
    const out: ResponseCase['then'] = {};
    if (then.status !== undefined && then.status !== null) out.status = oneOf(`${f}.then.status`, then.status, ['closed', 'pending', 'open'] as const);
    if (then.pendingDays !== undefined && then.pendingDays !== null) {
      if (out.status !== 'pending') throw new Invalid(`${f}.then.pendingDays`, 'only with status pending');
      out.pendingDays = num(`${f}.then.pendingDays`, then.pendingDays, 1, 365, 7);
    }
    if (then.tag !== undefined && then.tag !== null) {
      if (typeof then.tag !== 'string' || !then.tag.trim() || then.tag.length > 100) throw new Invalid(`${f}.then.tag`, 'a tag name, 1 to 100 characters');
      out.tag = then.tag.trim();
    }
    return { when, success: bool(`${f}.success`, r.success, true), reply, then: out };
  });
  const last = responses[responses.length - 1]!;
  if (action && last.when !== 'always') throw new Invalid(`${field}.responses`, 'the last case must be "always", so every answer of the action gets a reply');

  return {
    autoExecute: bool(`${field}.autoExecute`, input.autoExecute, false),
    minConfidence: num(`${field}.minConfidence`, input.minConfidence, 0, 1, 0.8),
    dailyCap: num(`${field}.dailyCap`, input.dailyCap, 0, 1_000_000, 0),
    // Measured on shared/data/meters (npm run eval): misreads reach 0.86–0.97 OCR confidence.
    photoMinConfidence: num(`${field}.photoMinConfidence`, input.photoMinConfidence, 0, 1, CONFIRM_BELOW),
    parameters,
    action,
    responses,
  };
}

let shipped: Map<string, Playbook> | null = null;

/** The playbooks data/ai-agents.json ships, by agent code (validated like any other). */
export function shippedPlaybook(code: string): Playbook | null {
  if (!shipped) {
    shipped = new Map();
    const entries = JSON.parse(fs.readFileSync(CATALOGUE_FILE, 'utf8')) as Array<{ code: string; playbook?: unknown }>;
    for (const e of entries) if (e.playbook) shipped.set(e.code, validatePlaybook(e.playbook, `data/ai-agents.json ${e.code}.playbook`));
  }
  return shipped.get(code) ?? null;
}

/** The agent's playbook: its own, else the shipped default for its code, else none. */
export function playbookOf(agent: { code: string; playbook: string | null }): Playbook | null {
  if (agent.playbook !== null) return JSON.parse(agent.playbook) as Playbook;
  return shippedPlaybook(agent.code);
}

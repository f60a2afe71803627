import type { AppContext } from '../context.js';
import { outboundRequest, OutboundError } from '../net/outbound.js';
import { signDelivery } from '../events/hooks/signature.js';
import { nowSeconds } from '../time.js';
import type { ActionSpec } from './playbook.js';

// One call of a playbook's action to the customer's system: JSON, signed like event hooks
// (X-Ticketmind-Timestamp / X-Ticketmind-Signature with CUSTOMER_SYSTEM_SECRET), through the SSRF
// guard (src/net/outbound.ts), with the playbook's timeout and retries on network errors and 5xx.
// `Idempotency-Key` is the same on every attempt and every rerun of the execution, so a receiver
// that dedupes on it performs the change once even when our process dies before recording its answer.

export type Phase = 'preview' | 'perform';
const ANSWER_CAP = 256 * 1024;

export interface ActionRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export type ActionAnswer = { ok: true; status: number; answer: Record<string, unknown> } | { ok: false; status: number | null; error: string };

export function resolveActionUrl(ctx: AppContext, action: ActionSpec): string | null {
  if (!action.url.startsWith('/')) return action.url;
  const base = ctx.config.CUSTOMER_SYSTEM_URL;
  if (!base) return null;
  return new URL(action.url.slice(1), base.endsWith('/') ? base : `${base}/`).href;
}

/** What would be sent (the dry run shows it; the signature is made at send time). */
export function buildActionRequest(ctx: AppContext, action: ActionSpec, idempotencyKey: string, body: Record<string, unknown>, phase: Phase): ActionRequest {
  return {
    method: action.method,
    url: resolveActionUrl(ctx, action) ?? `(CUSTOMER_SYSTEM_URL not set)${action.url}`,
    headers: { 'content-type': 'application/json', 'idempotency-key': phase === 'perform' ? idempotencyKey : `${idempotencyKey}:preview` },
    body: { phase, ...body },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function callAction(ctx: AppContext, action: ActionSpec, req: ActionRequest): Promise<ActionAnswer> {
  if (!resolveActionUrl(ctx, action)) return { ok: false, status: null, error: `CUSTOMER_SYSTEM_URL is not set; the action calls ${action.url}` };
  if (!ctx.config.CUSTOMER_SYSTEM_SECRET) return { ok: false, status: null, error: 'CUSTOMER_SYSTEM_SECRET is not set: actions are signed' };
  const payload = JSON.stringify(req.body);
  let last: ActionAnswer = { ok: false, status: null, error: 'not called' };
  for (let attempt = 0; attempt <= action.retries; attempt++) {
    if (attempt > 0) await sleep(Math.min(5_000, 250 * 2 ** (attempt - 1)));
    const ts = nowSeconds();
    try {
      const res = await outboundRequest(req.url, {
        method: req.method, body: payload, timeoutMs: action.timeoutMs, maxBytes: ANSWER_CAP, allow: ctx.outboundAllow, maxRedirects: 0,
        headers: { ...req.headers, 'user-agent': 'ticketmind-automation/1', 'x-ticketmind-timestamp': String(ts), 'x-ticketmind-signature': signDelivery(ctx.config.CUSTOMER_SYSTEM_SECRET, ts, payload) },
      });
      if (res.status >= 200 && res.status < 300) {
        let answer: unknown;
        try {
          answer = JSON.parse(res.body.toString('utf8'));
        } catch {
          return { ok: false, status: res.status, error: `the customer system answered ${res.status} without JSON` };
        }
        if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return { ok: false, status: res.status, error: 'the customer system\'s answer is not a JSON object' };
        return { ok: true, status: res.status, answer: answer as Record<string, unknown> };
      }
      last = { ok: false, status: res.status, error: `the customer system answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}` };
      if (res.status < 500 && res.status !== 429) return last;
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      last = { ok: false, status: null, error: `${err.kind}: ${err.message}` };
      if (err.kind === 'refused' || err.kind === 'tooLarge') return last;
    }
  }
  return last;
}

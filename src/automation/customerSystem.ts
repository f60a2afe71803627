import type { AppContext } from '../context.js';
import { outboundRequest, OutboundError } from '../net/outbound.js';
import { signDelivery } from '../events/hooks/signature.js';
import { nowSeconds } from '../time.js';

// Customer identification through the configured customer system (CUSTOMER_SYSTEM_URL):
//   POST {CUSTOMER_SYSTEM_URL}/customers/lookup   signed like event hooks
//   {contractNumber?, customerNumber?, meterNumber?, email?, ticketId}
//   → 200 {customer: {id, firstName, lastName, email, …} | null, contract: {id, number, …} | null}
//   → 404 = nobody found
// and Enneo's legitimation levels from what the message showed: 0 none; 10 recognised, not
// legitimated; 20 legitimated by rules (the sender address is the customer's, or the contract
// number and the last name are both in the message). 30/40 are set by a person, never here.

export interface Identifiers { contractNumber?: string; customerNumber?: string; meterNumber?: string; email?: string }
export interface Lookup { customer: Record<string, unknown> | null; contract: Record<string, unknown> | null }
export type LookupResult = { ok: true; found: Lookup } | { ok: false; error: string };

const CAP = 64 * 1024;
const CACHE_MS = 60_000;
const CACHE_MAX = 1000;
const cache = new Map<string, { at: number; result: LookupResult }>();

export const customerSystemConfigured = (ctx: AppContext) => Boolean(ctx.config.CUSTOMER_SYSTEM_URL && ctx.config.CUSTOMER_SYSTEM_SECRET);

export async function lookupCustomer(ctx: AppContext, ids: Identifiers, ticketId: number, opts: { cached?: boolean } = {}): Promise<LookupResult> {
  if (!customerSystemConfigured(ctx)) return { ok: false, error: 'no customer system is configured (CUSTOMER_SYSTEM_URL, CUSTOMER_SYSTEM_SECRET)' };
  if (!ids.contractNumber && !ids.customerNumber && !ids.meterNumber && !ids.email) return { ok: true, found: { customer: null, contract: null } };
  const key = JSON.stringify([ids.contractNumber, ids.customerNumber, ids.meterNumber, ids.email]);
  const hit = cache.get(key);
  if (opts.cached && hit && Date.now() - hit.at < CACHE_MS) return hit.result;
  const result = await callLookup(ctx, ids, ticketId);
  if (result.ok) {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, { at: Date.now(), result });
  }
  return result;
}

async function callLookup(ctx: AppContext, ids: Identifiers, ticketId: number): Promise<LookupResult> {
  const base = ctx.config.CUSTOMER_SYSTEM_URL;
  const url = new URL('customers/lookup', base.endsWith('/') ? base : `${base}/`).href;
  const body = JSON.stringify({ ...ids, ticketId });
  const ts = nowSeconds();
  try {
    const res = await outboundRequest(url, {
      method: 'POST', body, timeoutMs: ctx.config.HOOK_TIMEOUT_MS, maxBytes: CAP, allow: ctx.outboundAllow, maxRedirects: 0,
      headers: { 'content-type': 'application/json', 'user-agent': 'ticketmind-automation/1', 'x-ticketmind-timestamp': String(ts), 'x-ticketmind-signature': signDelivery(ctx.config.CUSTOMER_SYSTEM_SECRET, ts, body) },
    });
    if (res.status === 404) return { ok: true, found: { customer: null, contract: null } };
    if (res.status < 200 || res.status >= 300) return { ok: false, error: `the customer system answered ${res.status}` };
    const parsed = JSON.parse(res.body.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return { ok: false, error: 'the customer system\'s answer is not a JSON object' };
    const p = parsed as Record<string, unknown>;
    const obj = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
    return { ok: true, found: { customer: obj(p.customer), contract: obj(p.contract) } };
  } catch (err) {
    if (err instanceof SyntaxError) return { ok: false, error: 'the customer system answered without JSON' };
    if (err instanceof OutboundError) return { ok: false, error: `${err.kind}: ${err.message}` };
    throw err;
  }
}

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);

/** Enneo's level from what the message showed (see the header). */
export function legitimationLevel(found: Lookup, ids: Identifiers, text: string): number {
  if (!found.customer) return 0;
  const email = str(found.customer.email)?.toLowerCase();
  if (email && ids.email && email === ids.email.toLowerCase()) return 20;
  const lastName = str(found.customer.lastName)?.toLowerCase();
  const number = str(found.contract?.number) ?? str(found.contract?.id);
  if (lastName && lastName.length >= 2 && ids.contractNumber && number === ids.contractNumber && text.toLowerCase().includes(lastName)) return 20;
  return 10;
}

export const idOf = (record: Record<string, unknown> | null) => (record ? str(record.id) : null);

/**
 * GET /api/mind/customer/byTicketId/{id}: the customer system's record for the ticket's customer
 * (cached for a minute), with the legitimation level judged on the ticket's messages.
 */
export async function customerByTicket(ctx: AppContext, ticketId: number) {
  const k = ctx.db.kysely;
  const ticket = await k.selectFrom('tickets').select(['id', 'from_email', 'contract_id', 'customer_id', 'customer_legitimation']).where('id', '=', ticketId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!ticket) return null;
  const base = { ticketId, contractId: ticket.contract_id, customerId: ticket.customer_id, legitimation: ticket.customer_legitimation ?? 0 };
  if (!customerSystemConfigured(ctx)) {
    return { ...base, configured: false, customer: null, contract: null, infos: [{ type: 'neutral' as const, message: 'no customer system is configured (CUSTOMER_SYSTEM_URL, CUSTOMER_SYSTEM_SECRET): customers are not identified, and contract-related intents are not dark-processed' }] };
  }
  const rows = await k.selectFrom('ticket_intents').select('data').where('ticket_id', '=', ticketId).orderBy('id').execute();
  const seen = Object.assign({}, ...rows.map((r) => JSON.parse(r.data) as Record<string, unknown>)) as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const ids: Identifiers = Object.fromEntries(Object.entries({ contractNumber: s(seen.contractNumber), customerNumber: s(seen.customerNumber), meterNumber: s(seen.meterNumber), email: s(ticket.from_email) }).filter(([, v]) => v !== undefined));
  const result = await lookupCustomer(ctx, ids, ticketId, { cached: true });
  if (!result.ok) return { ...base, configured: true, customer: null, contract: null, infos: [{ type: 'warning' as const, message: result.error }] };
  return {
    ...base, configured: true, customer: result.found.customer, contract: result.found.contract,
    infos: [result.found.customer ? { type: 'success' as const, message: `recognised by ${Object.keys(ids).join(', ')}` } : { type: 'neutral' as const, message: 'the customer system knows no customer for this ticket' }],
  };
}

import type { OutboundErrorKind } from '../../net/outbound.js';

// What one delivery attempt's result means. Receivers are told: answer 2xx when you have the
// event; 408, 429 and 5xx (and no answer at all) are retried with backoff; any other 4xx means
// "never send this again" (the delivery fails at once); 429 and 503 may carry Retry-After.

export type AttemptOutcome = 'success' | 'retry' | 'failed';

export interface AttemptResult {
  status?: number;
  retryAfter?: string | undefined;
  errorKind?: OutboundErrorKind;
  errorMessage?: string;
}

export interface RetryConfig {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export interface Verdict {
  outcome: AttemptOutcome;
  /** Set when outcome is retry. */
  delayMs?: number;
  /** Why it did not succeed, for the attempt log. */
  error?: string;
}

/** Retry-After as delta seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Exponential backoff with jitter: base·2^(n-1), capped, then a random point in its upper half. */
export function backoffDelay(attempt: number, cfg: RetryConfig, random = Math.random): number {
  const cap = Math.min(cfg.maxMs, cfg.baseMs * 2 ** Math.min(40, Math.max(0, attempt - 1)));
  return Math.round(cap / 2 + random() * (cap / 2));
}

export function judgeAttempt(r: AttemptResult, attempt: number, cfg: RetryConfig, now = Date.now()): Verdict {
  let verdict: Verdict;
  if (r.errorKind) {
    // A refused address or a redirect loop will not fix itself; everything else is transport trouble.
    const permanent = r.errorKind === 'refused' || r.errorKind === 'tooManyRedirects';
    verdict = { outcome: permanent ? 'failed' : 'retry', error: `${r.errorKind}: ${r.errorMessage ?? ''}`.trim() };
  } else {
    const status = r.status ?? 0;
    if (status >= 200 && status < 300) return { outcome: 'success' };
    const error = `HTTP ${status}`;
    if (status === 429 || status === 503) {
      const hinted = parseRetryAfter(r.retryAfter, now);
      verdict = { outcome: 'retry', error, ...(hinted !== undefined ? { delayMs: Math.min(hinted, cfg.maxMs) } : {}) };
    } else if (status === 408 || status >= 500) {
      verdict = { outcome: 'retry', error };
    } else {
      verdict = { outcome: 'failed', error: status >= 300 && status < 400 ? `${error}: redirect not followed` : error };
    }
  }
  if (verdict.outcome !== 'retry') return verdict;
  if (attempt >= cfg.maxAttempts) return { outcome: 'failed', error: `${verdict.error}; gave up after ${attempt} attempts` };
  return { ...verdict, delayMs: verdict.delayMs ?? backoffDelay(attempt, cfg) };
}

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, judgeAttempt, parseRetryAfter } from '../../src/events/hooks/retryPolicy.js';
import { signDelivery, verifyDelivery } from '../../src/events/hooks/signature.js';

const cfg = { maxAttempts: 5, baseMs: 1000, maxMs: 60_000 };

describe('hook retry policy', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(new Date(now + 30_000).toUTCString(), now), 30_000);
    assert.equal(parseRetryAfter(new Date(now - 30_000).toUTCString(), now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('backs off exponentially with jitter, capped', () => {
    assert.equal(backoffDelay(1, cfg, () => 0), 500);
    assert.equal(backoffDelay(1, cfg, () => 1), 1000);
    assert.equal(backoffDelay(4, cfg, () => 1), 8000);
    assert.equal(backoffDelay(30, cfg, () => 1), 60_000);
  });

  it('retries 408, 429, 5xx and transport errors; fails other 4xx and refusals at once', () => {
    assert.equal(judgeAttempt({ status: 204 }, 1, cfg).outcome, 'success');
    for (const status of [408, 429, 500, 502, 503]) assert.equal(judgeAttempt({ status }, 1, cfg).outcome, 'retry', String(status));
    for (const status of [400, 401, 404, 410, 422, 301]) assert.equal(judgeAttempt({ status }, 1, cfg).outcome, 'failed', String(status));
    assert.equal(judgeAttempt({ errorKind: 'timeout', errorMessage: 'slow' }, 1, cfg).outcome, 'retry');
    assert.equal(judgeAttempt({ errorKind: 'network', errorMessage: 'ECONNREFUSED' }, 1, cfg).outcome, 'retry');
    assert.equal(judgeAttempt({ errorKind: 'refused', errorMessage: 'private' }, 1, cfg).outcome, 'failed');
  });

  it('honours Retry-After on 429 and 503 up to the cap, and gives up after the last attempt', () => {
    assert.equal(judgeAttempt({ status: 429, retryAfter: '7' }, 1, cfg).delayMs, 7000);
    assert.equal(judgeAttempt({ status: 503, retryAfter: '7' }, 1, cfg).delayMs, 7000);
    assert.equal(judgeAttempt({ status: 429, retryAfter: '86400' }, 1, cfg).delayMs, 60_000);
    const last = judgeAttempt({ status: 500 }, 5, cfg);
    assert.equal(last.outcome, 'failed');
    assert.match(last.error ?? '', /gave up after 5 attempts/);
  });

  it('signs timestamp.body and verifies in constant time within a tolerance', () => {
    const sig = signDelivery('0123456789abcdef', 1700000000, '{"a":1}');
    assert.match(sig, /^sha256=[0-9a-f]{64}$/);
    assert.equal(verifyDelivery('0123456789abcdef', sig, 1700000000, '{"a":1}', 300, 1700000100), true);
    assert.equal(verifyDelivery('0123456789abcdef', sig, 1700000000, '{"a":2}', 300, 1700000100), false);
    assert.equal(verifyDelivery('0123456789abcdeX', sig, 1700000000, '{"a":1}', 300, 1700000100), false);
    assert.equal(verifyDelivery('0123456789abcdef', sig, 1700000000, '{"a":1}', 300, 1700001000), false, 'too old');
  });
});

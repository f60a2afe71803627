import type { AppContext } from '../context.js';
import { Invalid, PayloadTooLarge } from '../errors.js';
import { OutboundError, outboundRequest } from '../net/outbound.js';
import type { AttachmentInput } from './validateAttachments.js';

/**
 * Fetches the bytes of every attachment given only by URL: at most ATTACHMENT_FETCH_CONCURRENCY
 * at once, each within ATTACHMENT_FETCH_TIMEOUT_MS and all within ATTACHMENT_FETCH_DEADLINE_MS of
 * the first start, so a request with many slow URLs is bounded by one deadline, not by their sum.
 * Nothing is written here: the caller stores blobs only after every fetch succeeded. The first
 * failure rejects at once and no further fetch starts; those already running end at the latest
 * at the deadline (their per-request timeout is capped by it) and their bytes are dropped.
 */
export async function fetchAttachmentUrls(ctx: AppContext, inputs: readonly AttachmentInput[]): Promise<Map<number, Buffer>> {
  const { ATTACHMENT_FETCH_CONCURRENCY: limit, ATTACHMENT_FETCH_DEADLINE_MS: deadlineMs } = ctx.config;
  const { ATTACHMENT_MAX_BYTES: maxFile, ATTACHMENTS_MAX_TOTAL_BYTES: maxTotal } = ctx.config;
  const queue = inputs.filter((a) => a.url && !a.base64 && !a.large);
  const out = new Map<number, Buffer>();
  if (queue.length === 0) return out;
  const deadline = Date.now() + deadlineMs;
  let next = 0;
  let failed = false;
  let total = 0;
  const worker = async (): Promise<void> => {
    while (!failed && next < queue.length) {
      const a = queue[next++]!;
      const field = `attachments[${a.index}].url`;
      try {
        const bytes = await fetchBytes(ctx, a.url!, field, maxFile, deadline, deadlineMs);
        // Checked as each file arrives so that memory stays near the total limit.
        total += bytes.length;
        if (total > maxTotal) throw new PayloadTooLarge(`attachments: together more than the limit of ${maxTotal} bytes`, `attachments[${a.index}]`);
        out.set(a.index, bytes);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
  return out;
}

const TIMER_SLACK_MS = 25;

async function fetchBytes(ctx: AppContext, url: string, field: string, maxBytes: number, deadline: number, deadlineMs: number): Promise<Buffer> {
  const remaining = deadline - Date.now();
  const perFetch = ctx.config.ATTACHMENT_FETCH_TIMEOUT_MS;
  const deadlineMessage = `was not fetched within the request's deadline of ${deadlineMs} ms for all attachment URLs`;
  if (remaining <= 0) throw new Invalid(field, deadlineMessage, 'attachment_fetch_deadline');
  const cappedByDeadline = remaining < perFetch;
  try {
    const res = await outboundRequest(url, { timeoutMs: Math.min(perFetch, remaining), maxBytes, allow: ctx.outboundAllow });
    if (res.status < 200 || res.status >= 300) throw new Invalid(field, `fetching it answered HTTP ${res.status}`, 'attachment_fetch_failed');
    return res.body;
  } catch (err) {
    if (err instanceof OutboundError) {
      if (err.kind === 'tooLarge') throw new PayloadTooLarge(`${field}: the file is larger than the limit of ${maxBytes} bytes`, field);
      // Timers may fire a millisecond or so before Date.now() reaches the time they were set
      // for, so "at the deadline" allows a little slack (seen in CI: a 400 ms deadline reported
      // as a plain fetch failure). A connect timeout that ends well before it stays a failure.
      if (err.kind === 'timeout' && cappedByDeadline && Date.now() >= deadline - TIMER_SLACK_MS) throw new Invalid(field, deadlineMessage, 'attachment_fetch_deadline');
      throw new Invalid(field, `could not be fetched: ${err.message}`, err.kind === 'refused' ? 'attachment_url_refused' : 'attachment_fetch_failed');
    }
    throw err;
  }
}

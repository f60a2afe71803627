import crypto from 'node:crypto';

// The one place that names jobs by key: the AI run of a conversation is `conversation:<id>`,
// so a repeated enqueue of the same conversation is a no-op and the realtime path can find it.

export const conversationJobKey = (conversationId: number): string => `conversation:${conversationId}`;

export const hookDeliveryJobKey = (deliveryId: number): string => `hook-delivery:${deliveryId}`;

/**
 * A reply's send job: unique per enqueue (a resend is a new job; the reply's delivery status
 * keeps it at most once), prefixed by its ticket so that GDPR erasure finds it by key on both
 * databases (graphile-worker's jobs view shows keys, not payloads).
 */
export const replyJobKey = (ticketId: number, conversationId: number): string =>
  `${replyJobKeyPrefix(ticketId)}${conversationId}:${crypto.randomBytes(6).toString('hex')}`;
export const replyJobKeyPrefix = (ticketId: number): string => `reply:${ticketId}:`;

/**
 * Per-hook concurrency across processes: a hook's deliveries go to `lanes` named queues, and
 * graphile-worker runs the jobs of one queue one at a time (PostgreSQL; SQLite's one process
 * holds the limit in memory, deliver.ts).
 */
export const hookQueueName = (hookId: number, deliveryId: number, lanes: number): string => `hook:${hookId}:${deliveryId % Math.max(1, lanes)}`;

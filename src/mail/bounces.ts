import { sql } from 'kysely';
import type { ParsedMail } from 'mailparser';
import type { AppContext } from '../context.js';
import { messageIdsIn } from './messageIds.js';

/**
 * Bounces of our own replies. A delivery report names the mail it reports on in its returned
 * headers (the text/rfc822-headers or message/rfc822 part) and often in In-Reply-To /
 * References; when one of those ids is a reply we sent, that reply's delivery failed.
 */

const MAX_PART_SCAN = 64 * 1024;

/** Message-IDs a delivery report names: of the returned original, then its own In-Reply-To / References. */
export function bouncedMessageIds(mail: ParsedMail): string[] {
  const ids: string[] = [];
  for (const a of mail.attachments) {
    const type = a.contentType.toLowerCase();
    if (type !== 'text/rfc822-headers' && type !== 'message/rfc822' && type !== 'message/global-headers') continue;
    const id = headerValue(a.content.subarray(0, MAX_PART_SCAN).toString('utf8'), 'message-id');
    if (id) ids.push(...messageIdsIn(id));
  }
  ids.push(...messageIdsIn(mail.inReplyTo), ...messageIdsIn(mail.references));
  return [...new Set(ids)];
}

/** Why delivery failed, in the report's words (Status and Diagnostic-Code of the first recipient). */
export function bounceReason(mail: ParsedMail): string {
  // The message/delivery-status part: an attachment, or (mailparser reads it as text) in the text.
  const status = mail.attachments.find((a) => a.contentType.toLowerCase() === 'message/delivery-status');
  const blocks = [status ? status.content.subarray(0, MAX_PART_SCAN).toString('utf8') : '', (mail.text ?? '').slice(0, MAX_PART_SCAN)];
  for (const t of blocks) {
    const parts = [headerValue(t, 'status'), headerValue(t, 'diagnostic-code')].filter(Boolean);
    if (parts.length > 0) return `bounced: ${parts.join(' ')}`.slice(0, 1000);
  }
  return `bounced: ${(mail.subject ?? 'delivery failed').slice(0, 300)}`;
}

/** The value of a header in a block of header lines (unfolded), case-insensitive; a linear scan. */
function headerValue(block: string, name: string): string | null {
  const lines = block.split(/\r?\n/);
  const prefix = `${name}:`;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    if (line.slice(0, prefix.length).toLowerCase() !== prefix) continue;
    let v = line.slice(prefix.length);
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) v += ` ${lines[++i]!.trim()}`;
    return v.trim();
  }
  return null;
}

/**
 * Marks the outgoing conversation with this Message-ID as not delivered: delivery_status
 * 'failed' with the reason. The columns come with the reply path (migration 006); written in
 * SQL so this module does not depend on that branch's types. Returns how many rows changed
 * (0: not one of our replies).
 */
export async function markBounced(ctx: Pick<AppContext, 'db'>, messageId: string, reason: string): Promise<number> {
  const res = await sql`update conversations set delivery_status = ${'failed'}, delivery_error = ${reason.slice(0, 2000)} where message_id = ${messageId} and direction <> ${'in'}`.execute(ctx.db.kysely);
  return Number(res.numAffectedRows ?? 0);
}

import type { AddressObject, ParsedMail } from 'mailparser';
import type { StoreBody } from '../http/schemas/conversation.js';
import { MAX_ATTACHMENTS } from '../http/schemas/conversation.js';
import { Invalid } from '../errors.js';

/**
 * A parsed mail as the store use case's input (the body a client would POST to
 * conversation/store): direction in, HTML body (mailparser's HTML rendering of a text-only mail),
 * sender, recipients, date, attachments with their bytes, and the mailbox's subchannel. Values
 * are capped to what the store accepts from a client, so a mail is judged by the same rules;
 * what still breaks one (a bad address, too many attachments) is a 4xx the fetcher quarantines.
 */

const MAX_SUBJECT = 2000;
const MAX_NAME = 500;
const MAX_LIST = 100;

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  const out: string[] = [];
  for (const group of Array.isArray(field) ? field : [field]) {
    for (const a of group.value) {
      if (a.address) out.push(a.address);
      // Group syntax ("undisclosed-recipients: a@x, b@y;"): its members.
      for (const m of a.group ?? []) if (m.address) out.push(m.address);
    }
  }
  return out.slice(0, MAX_LIST);
}

export interface MailContext {
  subchannelId: number;
  uidValidity: string;
  uid: number;
  messageId: string;
}

export function mailToStoreInput(mail: ParsedMail, ctx: MailContext): StoreBody {
  const from = mail.from?.value[0];
  if (mail.attachments.length > MAX_ATTACHMENTS) {
    throw new Invalid('attachments', `the mail has ${mail.attachments.length} attachments; at most ${MAX_ATTACHMENTS} are stored`, 'too_many_attachments');
  }
  let body = mail.html || mail.textAsHtml || '';
  const attachments = mail.attachments.map((a, i) => {
    const name = (a.filename?.trim() || `attachment-${i + 1}${extensionFor(a.contentType)}`).slice(0, 200);
    // Inline images: the store matches `cid:` references by attachment name (inlineImages.ts),
    // so the mail's Content-ID references are pointed at the name first (literal replace, linear).
    if (a.cid && body.includes(`cid:${a.cid}`)) body = body.split(`cid:${a.cid}`).join(`cid:${encodeURIComponent(name)}`);
    return { name, base64: a.content.toString('base64') };
  });
  const date = mail.date && Number.isFinite(mail.date.getTime()) ? Math.floor(mail.date.getTime() / 1000) : null;
  const now = Math.floor(Date.now() / 1000);
  return {
    process: 'batch',
    direction: 'in',
    type: 'html',
    ...(from?.address ? { from: from.address } : {}),
    ...(from?.name ? { fromName: from.name.slice(0, MAX_NAME) } : {}),
    to: addresses(mail.to),
    ccEmails: addresses(mail.cc),
    subject: (mail.subject ?? '').slice(0, MAX_SUBJECT),
    body,
    subchannelId: ctx.subchannelId,
    // The mail's own date, unless it lies in the future or before 1970 (then: when we fetched it).
    createdAt: date !== null && date >= 0 && date <= now ? date : now,
    attachments,
    rawData: { mail: { messageId: ctx.messageId, uid: ctx.uid, uidValidity: ctx.uidValidity } },
  };
}

function extensionFor(contentType: string): string {
  const sub = contentType.split('/')[1]?.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[a-z0-9]{1,10}$/.test(sub) ? `.${sub === 'plain' ? 'txt' : sub}` : '.bin';
}

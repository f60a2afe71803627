import MailComposer from 'nodemailer/lib/mail-composer';
import type { AttachmentRow } from '../db/schema.js';
import { attachmentUrl } from '../conversations/serialize.js';

/**
 * The RFC 5322 message of a reply, built by nodemailer's MailComposer: HTML and plain parts,
 * inline images as cid: parts, attachments, Message-ID, In-Reply-To and References, so that the
 * customer's mail client files it under their own mail. Bcc goes into the envelope only.
 */

export interface OutgoingMail {
  from: { name: string | null; address: string };
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  html: string;
  text: string;
  /** without angle brackets */
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  attachments: Array<{ row: AttachmentRow; content: Buffer }>;
}

/** References of a long thread: the first message and the most recent ones (RFC 5322 3.6.4 lets a sender trim the middle). */
export const MAX_REFERENCES = 20;

export function capReferences(ids: string[]): string[] {
  if (ids.length <= MAX_REFERENCES) return ids;
  return [ids[0]!, ...ids.slice(ids.length - (MAX_REFERENCES - 1))];
}

const bracket = (id: string): string => `<${id}>`;

/**
 * Stored bodies point inline images at the URL ticketmind serves them from (insertConversation
 * rewrote `cid:` references); in the mail they become cid: parts again. Only a whole quoted
 * attribute value is replaced, so /attachment/2 never matches inside /attachment/23.
 */
function inlineCids(html: string, attachments: OutgoingMail['attachments'], messageId: string): { html: string; cids: Map<number, string> } {
  const cids = new Map<number, string>();
  const domain = messageId.slice(messageId.lastIndexOf('@') + 1);
  let out = html;
  for (const { row } of attachments) {
    const url = attachmentUrl(row);
    const cid = `att${row.id}.${messageId.slice(0, messageId.indexOf('@'))}@${domain}`;
    let used = false;
    for (const q of ['"', "'"]) {
      const quoted = `${q}${url}${q}`;
      if (out.includes(quoted)) {
        out = out.replaceAll(quoted, `${q}cid:${cid}${q}`);
        used = true;
      }
    }
    if (used) cids.set(row.id, cid);
  }
  return { html: out, cids };
}

export async function composeMail(mail: OutgoingMail): Promise<{ raw: Buffer; envelope: { from: string; to: string[] } }> {
  const { html, cids } = inlineCids(mail.html, mail.attachments, mail.messageId);
  const references = capReferences(mail.references);
  const composer = new MailComposer({
    from: mail.from.name ? { name: mail.from.name, address: mail.from.address } : mail.from.address,
    to: mail.to,
    cc: mail.cc.length ? mail.cc : undefined,
    bcc: mail.bcc.length ? mail.bcc : undefined,
    subject: mail.subject,
    html,
    text: mail.text,
    messageId: bracket(mail.messageId),
    inReplyTo: mail.inReplyTo ? bracket(mail.inReplyTo) : undefined,
    references: references.length ? references.map(bracket) : undefined,
    attachments: mail.attachments.map(({ row, content }) => ({
      filename: row.name,
      content,
      contentType: row.content_type ?? 'application/octet-stream',
      ...(cids.has(row.id) ? { cid: cids.get(row.id)!, contentDisposition: 'inline' as const } : {}),
    })),
  });
  const node = composer.compile();
  const envelope = node.getEnvelope();
  const raw = await new Promise<Buffer>((resolve, reject) => node.build((err, buf) => (err ? reject(err) : resolve(buf))));
  return { raw, envelope: { from: envelope.from || mail.from.address, to: envelope.to } };
}

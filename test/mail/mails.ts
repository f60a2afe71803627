import crypto from 'node:crypto';

// Raw test mails (RFC 5322, CRLF), built by hand so every header is exactly what the test says.

export interface MailSpec {
  from?: string;
  to?: string;
  subject?: string;
  /** without brackets; null: no Message-ID header at all */
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  text?: string;
  html?: string;
  attachment?: { name: string; contentType: string; bytes: Buffer };
}

export const newMessageId = (tag = 'mail') => `${tag}-${crypto.randomBytes(6).toString('hex')}@kunde.example`;

export function rawMail(spec: MailSpec): string {
  const messageId = spec.messageId === undefined ? newMessageId() : spec.messageId;
  const h: string[] = [
    `From: ${spec.from ?? 'Erika Mustermann <erika@kunde.example>'}`,
    `To: ${spec.to ?? 'service@stadtwerke.example'}`,
    `Subject: ${spec.subject ?? 'Zählerstand'}`,
    'Date: Tue, 01 Dec 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
  ];
  if (messageId !== null) h.push(`Message-ID: <${messageId}>`);
  if (spec.inReplyTo) h.push(`In-Reply-To: <${spec.inReplyTo}>`);
  if (spec.references) h.push(`References: ${spec.references.map((r) => `<${r}>`).join(' ')}`);
  for (const [k, v] of Object.entries(spec.headers ?? {})) h.push(`${k}: ${v}`);
  const text = spec.text ?? 'Guten Tag,\r\nmein Zählerstand ist 12.345,6 kWh.\r\nViele Grüße\r\nErika';
  const textPart = spec.html
    ? ['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', spec.html]
    : ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text];
  if (!spec.attachment) return [...h, ...textPart, ''].join('\r\n');
  const b = `b-${crypto.randomBytes(4).toString('hex')}`;
  const a = spec.attachment;
  return [
    ...h,
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    ...textPart,
    `--${b}`,
    `Content-Type: ${a.contentType}; name="${a.name}"`,
    `Content-Disposition: attachment; filename="${a.name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    a.bytes.toString('base64').replace(/.{76}/g, '$&\r\n'),
    `--${b}--`,
    '',
  ].join('\r\n');
}

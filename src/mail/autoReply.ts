import type { Headers } from 'mailparser';

/**
 * Mail that must never open a ticket nor be answered (no mail loops): auto-replies (RFC 3834
 * Auto-Submitted, the X-Autoreply / X-Autorespond family, Precedence bulk|junk|list), list mail
 * (List-Id; a customer does not write to us through a mailing list) and delivery reports (DSN,
 * multipart/report; report-type=delivery-status, or a null sender). The first rule that matches
 * names the reason, which the quarantine row shows.
 */
export type MachineMailKind = 'auto_reply' | 'list' | 'bounce';

export interface MachineMail {
  kind: MachineMailKind;
  reason: string;
}

function text(headers: Headers, name: string): string | null {
  const v = headers.get(name);
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && 'value' in v && typeof v.value === 'string') return v.value;
  return String(v);
}

export function classifyMachineMail(headers: Headers, fromAddress: string | null): MachineMail | null {
  const contentType = headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (contentType?.value?.toLowerCase() === 'multipart/report' && contentType.params?.['report-type']?.toLowerCase() === 'delivery-status') {
    return { kind: 'bounce', reason: 'delivery status notification (multipart/report; report-type=delivery-status)' };
  }
  const returnPath = text(headers, 'return-path');
  const local = fromAddress?.split('@')[0]?.toLowerCase() ?? '';
  if (returnPath !== null && returnPath.replace(/[\s<>]/g, '') === '') {
    return { kind: 'bounce', reason: 'null sender (Return-Path: <>): a delivery report or other automatic mail' };
  }
  if (local === 'mailer-daemon' || local === 'postmaster') return { kind: 'bounce', reason: `sent by ${fromAddress}` };

  const autoSubmitted = text(headers, 'auto-submitted');
  if (autoSubmitted !== null && autoSubmitted.trim().toLowerCase() !== 'no') return { kind: 'auto_reply', reason: `Auto-Submitted: ${autoSubmitted.slice(0, 100)}` };
  for (const h of ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-auto-reply']) {
    if (text(headers, h) !== null) return { kind: 'auto_reply', reason: `${h} header present` };
  }
  const precedence = text(headers, 'precedence')?.trim().toLowerCase();
  if (precedence === 'bulk' || precedence === 'junk' || precedence === 'list' || precedence === 'auto_reply') {
    return { kind: precedence === 'list' ? 'list' : 'auto_reply', reason: `Precedence: ${precedence}` };
  }
  // mailparser gathers the List-* headers into one `list` object ({id: …, unsubscribe: …}).
  const list = headers.get('list') as Record<string, unknown> | undefined;
  if (headers.has('list-id') || (list && typeof list === 'object' && 'id' in list)) return { kind: 'list', reason: 'mailing-list mail (List-Id)' };
  return null;
}

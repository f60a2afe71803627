import type { EventRow } from '../db/schema.js';

// How each event type reads in a ticket's activity timeline (src/tickets/activity.ts). A type
// without an entry here still appears, with its type as the summary and its data as details, so
// a new event type (mail fetched, reply sent, a gate decision) shows up the day it is recorded;
// an entry here only words it better or marks it technical.

export interface EventDescription {
  summary: string;
  /** Shown only with showTechnicalInformation=true. */
  technical?: boolean;
}

type Data = Record<string, unknown>;
type Describer = (data: Data, e: EventRow) => EventDescription;

const list = (v: unknown): string => (Array.isArray(v) && v.length > 0 ? v.map(String).join(', ') : 'none');

function describeChanges(changes: unknown): string {
  if (!changes || typeof changes !== 'object') return 'no change';
  return Object.entries(changes as Data)
    .map(([field, value]) => `${field} → ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`)
    .join(', ');
}

export const EVENT_DESCRIBERS: Record<string, Describer> = {
  ticketCreated: (d) => ({ summary: `New ticket processed; intents: ${list(d.intents)}` }),
  ticketResponse: (d) => ({ summary: `Customer reply processed; intents: ${list(d.intents)}` }),
  conversationCreated: (d) => ({ summary: d.private ? 'Internal note written' : 'Agent message written' }),
  ticketUpdated: (d) => ({ summary: `Changed: ${describeChanges(d.changes)}` }),
  ticketDeleted: () => ({ summary: 'Ticket erased' }),
  conversationStored: (d) => ({ summary: `Message ${String(d.conversationId ?? '')} stored (receipt)`, technical: true }),
  attachmentExtracted: (d) => ({ summary: `Attachment ${String(d.attachmentId ?? '')} read: ${String(d.status ?? '')}`, technical: true }),
  cortexProcessTicket: () => ({ summary: 'AI processing requested', technical: true }),
};

export function describeEvent(e: EventRow, data: Data): EventDescription {
  const describe = EVENT_DESCRIBERS[e.type];
  return describe ? describe(data, e) : { summary: e.type };
}

import { Invalid } from '../errors.js';
import { lookup } from '../lookup.js';
import { nowSeconds, parseDateInput } from '../time.js';
import type { TicketRow, TicketUpdate } from '../db/schema.js';

export const CHANNELS = ['email', 'portal', 'phone', 'letter', 'system', 'chat', 'walkIn'] as const;
export const STATUSES = ['open', 'pending', 'closed'] as const;
export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TicketStatus = (typeof STATUSES)[number];

// Some Enneo renderings list more statuses; we keep three and map the others (documented in
// the OpenAPI description of the status fields).
const STATUS_ALIASES: Record<string, TicketStatus> = {
  resolved: 'closed',
  waitingOnCustomer: 'pending',
  waitingOnThirdParty: 'pending',
};

export function normalizeStatus(value: string, field = 'status'): TicketStatus {
  if ((STATUSES as readonly string[]).includes(value)) return value as TicketStatus;
  const alias = lookup(STATUS_ALIASES, value);
  if (alias) return alias;
  throw new Invalid(field, `"${value}" is not a status; use open, pending or closed (aliases: ${Object.keys(STATUS_ALIASES).join(', ')})`, 'invalid_status');
}

export interface TicketChangeInput {
  status?: string | null;
  priority?: string | null;
  /** Unix seconds: parsed once where the request comes in (parseTicketDates). */
  dueBy?: number | null;
  firstResponseDueBy?: number | null;
  agentId?: number | null;
  contractId?: string | null;
  customerId?: string | null;
  workedOnBy?: string | null;
}

type DateField = string | number | null | undefined;

/**
 * The ticket dates of a request (store, create, PATCH) as Unix seconds, parsed once before any
 * transaction: a bad one is a 422 naming the field. Absent and null stay as they are.
 */
export function parseTicketDates(input: { dueBy?: DateField; firstResponseDueBy?: DateField }): { dueBy: number | null | undefined; firstResponseDueBy: number | null | undefined } {
  const parse = (v: DateField, field: string) => (v == null ? v : parseDateInput(v, field));
  return { dueBy: parse(input.dueBy, 'dueBy'), firstResponseDueBy: parse(input.firstResponseDueBy, 'firstResponseDueBy') };
}

/**
 * Turns requested changes into a column update plus the Enneo `changes` payload of the
 * TicketUpdated event, holding every ticket rule in one place (store, create and PATCH use it).
 * Only fields that really change appear in either.
 */
export function planTicketChanges(ticket: TicketRow, input: TicketChangeInput, opts: { explicitNulls?: boolean } = {}) {
  const update: TicketUpdate = {};
  const changes: Record<string, unknown> = {};
  const now = nowSeconds();

  const dueBy = input.dueBy ?? undefined;
  if (dueBy !== undefined && dueBy !== ticket.due_by) {
    update.due_by = dueBy;
    changes.dueBy = dueBy;
  }
  const firstResponseDueBy = input.firstResponseDueBy ?? undefined;
  if (firstResponseDueBy !== undefined && firstResponseDueBy !== ticket.first_response_due_by) {
    update.first_response_due_by = firstResponseDueBy;
    changes.firstResponseDueBy = firstResponseDueBy;
  }
  if (input.priority != null && input.priority !== ticket.priority) {
    if (!(PRIORITIES as readonly string[]).includes(input.priority)) {
      throw new Invalid('priority', `"${input.priority}" is not a priority; use ${PRIORITIES.join(', ')}`);
    }
    update.priority = input.priority;
    changes.priority = input.priority;
  }
  if (input.status != null) {
    const status = normalizeStatus(input.status);
    if (status === 'pending' && status !== ticket.status) {
      // Enneo's rule: a ticket may only wait until a due date that lies ahead.
      const effectiveDue = dueBy ?? ticket.due_by;
      if (effectiveDue === null || effectiveDue <= now) {
        throw new Invalid('status', 'pending needs dueBy in the future (set dueBy in the same request)', 'pending_needs_due_date');
      }
    }
    if (status !== ticket.status) {
      update.status = status;
      changes.status = status;
      update.closed_at = status === 'closed' ? now : null;
    }
  }
  const plain: Array<[keyof TicketChangeInput, 'agent_id' | 'contract_id' | 'customer_id' | 'worked_on_by']> = [
    ['agentId', 'agent_id'],
    ['contractId', 'contract_id'],
    ['customerId', 'customer_id'],
    ['workedOnBy', 'worked_on_by'],
  ];
  for (const [key, col] of plain) {
    const v = input[key];
    if (v === undefined || (v === null && !opts.explicitNulls)) continue;
    if (v !== ticket[col]) {
      (update as Record<string, unknown>)[col] = v;
      changes[key] = v;
    }
  }
  return { update, changes };
}

export interface MessageForTicket {
  direction: string;
  isPrivate: boolean;
  isDraft: boolean;
  /** Unix seconds the message counts from */
  at: number;
}

/**
 * What a message does to the ticket's message times — the one place for them (store, ticket
 * create, reply, a draft published later). Every message moves lastMessageAt; a customer's moves
 * lastCustomerMessageAt; an agent's answer the customer sees (direction out, not private, not a
 * draft) moves lastAgentMessageAt and, the first time, firstResponseAt (Enneo's first response
 * time). Internal notes and drafts are not answers; a draft counts when it is published.
 */
export function messageTimes(ticket: Pick<TicketRow, 'last_message_at' | 'last_customer_message_at' | 'first_response_at' | 'last_agent_message_at'>, m: MessageForTicket): TicketUpdate {
  const update: TicketUpdate = {};
  if (m.isDraft) return update;
  update.last_message_at = Math.max(ticket.last_message_at ?? 0, m.at);
  if (m.direction === 'in') update.last_customer_message_at = Math.max(ticket.last_customer_message_at ?? 0, m.at);
  if (m.direction === 'out' && !m.isPrivate) {
    update.last_agent_message_at = Math.max(ticket.last_agent_message_at ?? 0, m.at);
    if (ticket.first_response_at === null) update.first_response_at = m.at;
  }
  return update;
}

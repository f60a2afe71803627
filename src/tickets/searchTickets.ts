import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../db/dialect.js';
import { BadRequest } from '../errors.js';
import { buildFilterConditions, escapeLike, likeEscaped, lookup, type FieldSpec } from '../search/filters.js';
import { serializeTicketCompact } from './serialize.js';
import { tagIdsOf } from './readTickets.js';
import type { TicketSearchBody } from '../http/schemas/ticket.js';

const inSet = (comparator: string) => (comparator === 'notIn' || comparator === '!=' ? 'not in' : 'in');

// Enneo's `t.` keys (and `tt.tagId` from its older reference) → columns.
const FIELDS: Record<string, FieldSpec> = {
  't.id': { column: 't.id', kind: 'int' },
  't.status': { column: 't.status', kind: 'text' },
  't.priority': { column: 't.priority', kind: 'text' },
  't.channel': { column: 't.channel', kind: 'text', wildcard: 'all' },
  't.subchannelId': { column: 't.subchannel_id', kind: 'int' },
  't.agentId': { column: 't.agent_id', kind: 'int' },
  't.direction': { column: 't.direction', kind: 'text' },
  't.language': { column: 't.language', kind: 'text' },
  't.aiSupportLevel': { column: 't.ai_support_level', kind: 'text' },
  't.externalTicketId': { column: 't.external_ticket_id', kind: 'text' },
  't.contractId': { column: 't.contract_id', kind: 'text' },
  't.customerId': { column: 't.customer_id', kind: 'text' },
  't.from': { column: 't.from_email', kind: 'text' },
  't.subject': { column: 't.subject', kind: 'text' },
  't.createdAt': { column: 't.created_at', kind: 'date' },
  't.modifiedAt': { column: 't.modified_at', kind: 'date' },
  't.dueBy': { column: 't.due_by', kind: 'date' },
  't.firstResponseDueBy': { column: 't.first_response_due_by', kind: 'date' },
  't.closedAt': { column: 't.closed_at', kind: 'date' },
  't.lastMessageAt': { column: 't.last_message_at', kind: 'date' },
  't.tagIds': {
    column: 'tag_id',
    kind: 'int',
    custom: (eb: ExpressionBuilder<any, any>, comparator, values) =>
      eb('t.id', inSet(comparator), eb.selectFrom('ticket_tags').select('ticket_id').where('tag_id', 'in', values)),
  },
  't.intents': {
    column: 'code',
    kind: 'text',
    custom: (eb: ExpressionBuilder<any, any>, comparator, values) =>
      eb('t.id', inSet(comparator), eb.selectFrom('ticket_intents').select('ticket_id').where('code', 'in', values)),
  },
};
FIELDS['tt.tagId'] = FIELDS['t.tagIds']!;

const ORDER_FIELDS: Record<string, string> = {
  't.id': 't.id',
  't.createdAt': 't.created_at',
  't.modifiedAt': 't.modified_at',
  't.dueBy': 't.due_by',
  't.firstResponseDueBy': 't.first_response_due_by',
  't.lastMessageAt': 't.last_message_at',
  't.priority': 't.priority',
  't.status': 't.status',
};

export async function searchTickets(db: Db, body: TicketSearchBody) {
  const limit = body.limit ?? 100;
  const offset = body.offset ?? 0;
  const orderKey = body.orderByField ?? 't.id';
  const orderCol = lookup(ORDER_FIELDS, orderKey) ?? lookup(ORDER_FIELDS, `t.${orderKey}`);
  if (!orderCol) throw new BadRequest('orderByField', `cannot order by "${orderKey}"; use ${Object.keys(ORDER_FIELDS).join(', ')}`, 'unknown_order_field');
  const dir = (body.orderByDirection ?? 'desc').toLowerCase() as 'asc' | 'desc';

  const base = db.kysely
    .selectFrom('tickets as t')
    .where('t.deleted_at', 'is', null)
    .where((eb) => {
      const conds = buildFilterConditions(eb, body.filters ?? [], FIELDS, 't.', db.kind);
      if (body.q) {
        const p = `%${escapeLike(body.q)}%`;
        conds.push(eb.or([likeEscaped('t.subject', p, db.kind), likeEscaped('t.body_plain', p, db.kind), likeEscaped('t.from_email', p, db.kind)]));
      }
      return eb.and(conds);
    });
  const [rows, total] = await Promise.all([
    base.selectAll('t').orderBy(orderCol as 't.id', dir).orderBy('t.id', dir).limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const tags = await tagIdsOf(db.kysely, rows.map((r) => r.id));
  return {
    success: true,
    tickets: rows.map((r) => serializeTicketCompact(r, tags.get(r.id) ?? [])),
    total: Number(total.n),
    offset,
    limit,
  };
}

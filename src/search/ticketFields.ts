import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { BadRequest } from '../errors.js';
import type { Comparator, FieldSpec } from './filters.js';

// Enneo's ticket search keys (its tooling's list: enneo-AI/claude-plugin skills/tickets) → SQL.
// Every key maps through this whitelist; nothing a client sends reaches SQL as text.

type Eb = ExpressionBuilder<any, any>;
const SET_COMPARATORS: readonly Comparator[] = ['in', 'not in', '=', '!='];
const negated = (c: Comparator) => c === 'not in' || c === '!=';

/** `t.id [not] in (subquery)` for keys that live in another table. */
function viaTable(sub: (eb: Eb, values: (string | number)[]) => Expression<unknown>): FieldSpec['custom'] {
  return (eb, comparator, values) => eb('t.id', negated(comparator) ? 'not in' : 'in', sub(eb, values) as never);
}

const tagIn = viaTable((eb, values) => eb.selectFrom('ticket_tags').select('ticket_id').where('tag_id', 'in', values));

// The ticket carries every listed tag (or, negated, misses at least one).
const tagsAll = viaTable((eb, values) =>
  eb.selectFrom('ticket_tags').select('ticket_id').where('tag_id', 'in', values).groupBy('ticket_id')
    .having((h) => h.fn.countAll(), '=', new Set(values).size));

// The ticket carries exactly this set of tags: all of them and no other.
const tagsExact = viaTable((eb, values) =>
  eb.selectFrom('ticket_tags').select('ticket_id').groupBy('ticket_id')
    .having((h) => h.fn.countAll(), '=', new Set(values).size)
    .having(sql<number>`sum(case when tag_id in (${sql.join(values)}) then 1 else 0 end)`, '=', new Set(values).size));

// Assigned agent; "unassigned" stands for no agent (Enneo's "team" is refused: no teams here). A negated filter keeps unassigned tickets
// unless "unassigned" is itself listed ("not assigned to 3" includes nobody's tickets).
function agentCondition(eb: Eb, comparator: Comparator, values: (string | number)[]): Expression<SqlBool> {
  const ids = values.filter((v): v is number => typeof v === 'number');
  const unassigned = values.includes('unassigned');
  if (!negated(comparator)) {
    const parts: Expression<SqlBool>[] = [];
    if (ids.length) parts.push(eb('t.agent_id', 'in', ids));
    if (unassigned) parts.push(eb('t.agent_id', 'is', null));
    return eb.or(parts);
  }
  const parts: Expression<SqlBool>[] = [];
  if (ids.length) parts.push(eb.or([eb('t.agent_id', 'not in', ids), eb('t.agent_id', 'is', null)]));
  if (unassigned) parts.push(eb('t.agent_id', 'is not', null));
  return eb.and(parts);
}

export const TICKET_FIELDS: Record<string, FieldSpec> = {
  't.id': { column: 't.id', kind: 'int' },
  't.status': { column: 't.status', kind: 'text' },
  't.priority': { column: 't.priority', kind: 'text' },
  't.channel': { column: 't.channel', kind: 'text', wildcard: 'all' },
  't.subchannelId': { column: 't.subchannel_id', kind: 'int' },
  // Enneo lists t.channelId beside t.subchannelId; our channels are names, their ids are subchannels.
  't.channelId': { column: 't.subchannel_id', kind: 'int' },
  't.agentId': { column: 't.agent_id', kind: 'int', words: ['unassigned'], comparators: SET_COMPARATORS, custom: agentCondition },
  't.direction': { column: 't.direction', kind: 'text' },
  't.language': { column: 't.language', kind: 'text' },
  't.languageCode': { column: 't.language_code', kind: 'text' },
  't.sentiment': { column: 't.sentiment', kind: 'text' },
  't.spamStatus': { column: 't.spam_status', kind: 'text' },
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
  't.lastCustomerMessageAt': { column: 't.last_customer_message_at', kind: 'date' },
  // When the AI last ran on the ticket: its latest cortex request.
  't.modelRunAt': { column: 'model_run_at', kind: 'date', custom: (eb, comparator, values) => dateCondition(eb, modelRunAt(), comparator, values) },
  'i.aiAgentId': {
    column: 'ai_agent_id',
    kind: 'int',
    comparators: SET_COMPARATORS,
    custom: viaTable((eb, values) => eb.selectFrom('ticket_intents').select('ticket_id').where('ai_agent_id', 'in', values)),
  },
  'tt.tagId': { column: 'tag_id', kind: 'int', comparators: SET_COMPARATORS, custom: tagIn },
  'tt_matchAny.tagId': { column: 'tag_id', kind: 'int', comparators: SET_COMPARATORS, custom: tagIn },
  'tt_matchAll.tagId': { column: 'tag_id', kind: 'int', comparators: SET_COMPARATORS, custom: tagsAll },
  'tt_matchExact.tagId': { column: 'tag_id', kind: 'int', comparators: SET_COMPARATORS, custom: tagsExact },
  't.intents': {
    column: 'code',
    kind: 'text',
    comparators: SET_COMPARATORS,
    custom: viaTable((eb, values) => eb.selectFrom('ticket_intents').select('ticket_id').where('code', 'in', values)),
  },
};
// Our older name for tt.tagId.
TICKET_FIELDS['t.tagIds'] = TICKET_FIELDS['tt.tagId']!;

export function modelRunAt() {
  return sql<number | null>`(select max(cr.created_at) from cortex_requests cr where cr.ticket_id = t.id)`;
}

function dateCondition(eb: Eb, expr: Expression<any>, comparator: Comparator, values: (string | number)[]): Expression<SqlBool> {
  switch (comparator) {
    case 'in':
    case 'not in':
      return eb(expr, comparator, values);
    case 'between':
      return eb.and([eb(expr, '>=', values[0]!), eb(expr, '<=', values[1]!)]);
    case 'not between':
      return eb.or([eb(expr, '<', values[0]!), eb(expr, '>', values[1]!)]);
    case 'like':
      throw new BadRequest('filters', 'like applies to text fields', 'invalid_comparator');
    default:
      return eb(expr, comparator, values[0]!);
  }
}

// Enneo's orderByField whitelist, less the two fields ticketmind has no data for (t.partnerId,
// t.isCustomerActive: 400 saying so). `relevance` is handled by the search itself.
const PRIORITY_RANK = sql<number>`case t.priority when 'low' then 1 when 'medium' then 2 when 'high' then 3 when 'urgent' then 4 else 0 end`;
export const ORDER_FIELDS: Record<string, Expression<unknown> | string> = {
  't.id': 't.id',
  't.channel': 't.channel',
  't.channelId': 't.subchannel_id',
  't.subchannelId': 't.subchannel_id',
  't.direction': 't.direction',
  't.status': 't.status',
  // By urgency, not alphabetically.
  't.priority': PRIORITY_RANK,
  't.agentId': 't.agent_id',
  't.customerId': 't.customer_id',
  't.contractId': 't.contract_id',
  't.aiSupportLevel': 't.ai_support_level',
  't.sentiment': 't.sentiment',
  't.language': 't.language',
  't.languageCode': 't.language_code',
  't.from': 't.from_email',
  't.createdAt': 't.created_at',
  't.modifiedAt': 't.modified_at',
  't.firstResponseDueBy': 't.first_response_due_by',
  't.dueBy': 't.due_by',
  't.lastMessageAt': 't.last_message_at',
  't.lastCustomerMessageAt': 't.last_customer_message_at',
  'i.aiAgentId': sql`(select min(ti.ai_agent_id) from ticket_intents ti where ti.ticket_id = t.id)`,
  'tt.tagId': sql`(select min(tt.tag_id) from ticket_tags tt where tt.ticket_id = t.id)`,
};
export const UNSUPPORTED_ORDER_FIELDS = ['t.partnerId', 't.isCustomerActive'];

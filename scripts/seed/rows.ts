import { customer, int, message, pick, prng, TOPICS, weighted, type Lang } from './corpus.js';

// The rows of a block of tickets, as the service itself would have written them: the ticket, its
// messages in order, the ticket fields the store path keeps (last message times, first response),
// tags, detected intents and the event log (conversationStored per message, ticketCreated for the
// first customer message, ticketResponse for later ones, conversationCreated for agent answers).
// Ids are assigned here from the caller's counters, so a block's rows reference each other without
// a round trip to the database.

export type Row = Record<string, string | number | null>;

export interface Block {
  tickets: Row[];
  conversations: Row[];
  ticketTags: Row[];
  intents: Row[];
  events: Row[];
}

export interface Ids {
  ticket: number;
  conversation: number;
  event: number;
  intent: number;
}

export interface Reference {
  /** default subchannel id per channel */
  subchannels: Map<string, number>;
  agents: { id: number; name: string; email: string }[];
  tagIds: number[];
  /** ai_agents id per code */
  aiAgents: Map<string, number>;
  mailbox: string;
}

const CHANNELS = [['email', 62], ['portal', 14], ['phone', 9], ['letter', 4], ['chat', 8], ['walkIn', 2], ['system', 1]] as const;
const STATUSES = [['closed', 62], ['open', 24], ['pending', 14]] as const;
const PRIORITIES = [['low', 50], ['medium', 35], ['high', 12], ['urgent', 3]] as const;
// Messages per ticket; one ticket in about 2,000 is a long thread (a page of the conversation list is 100).
const THREAD = [[1, 22], [2, 24], [3, 18], [4, 14], [5, 9], [6, 6], [8, 4], [12, 2], [150, 0.05]] as const;
const TYPE_OF_CHANNEL: Record<string, string> = { email: 'email', portal: 'portal', phone: 'phone', letter: 'letter', chat: 'chat', walkIn: 'walkIn', system: 'system' };

/** Two years of history up to a fixed end, so that one seed writes the same rows on any day. */
const END = 1_796_000_000; // 2026-11-30
const SPAN = 2 * 365 * 86_400;

/**
 * The rows for tickets from `ids.ticket` on, until `conversations` messages are written or the
 * block holds `maxTickets` tickets; advances `ids`. Deterministic in (seed, ticket id).
 */
export function buildBlock(seed: number, ids: Ids, ref: Reference, maxTickets: number, conversations: number): Block {
  const b: Block = { tickets: [], conversations: [], ticketTags: [], intents: [], events: [] };
  let left = conversations;
  while (left > 0 && b.tickets.length < maxTickets) {
    const tid = ids.ticket++;
    const r = prng(seed * 1_000_003 + tid);
    const c = customer(r, tid);
    const lang: Lang = r() < 0.78 ? 'de' : 'en';
    const topic = pick(r, TOPICS);
    const channel = weighted(r, CHANNELS);
    const status = weighted(r, STATUSES);
    const agent = pick(r, ref.agents);
    const count = Math.min(left, weighted(r, THREAD));
    left -= count;
    const created = END - Math.floor(r() * SPAN);
    let at = created;
    let previous: string | null = null;
    let lastIn: number | null = null;
    let lastOut: number | null = null;
    let firstResponse: number | null = null;
    let subject = '';
    // The ticket carries its first message's bodies, as POST /ticket and mail ingestion write them.
    let first = { body: '', bodyPlain: '', bodyClean: '' };
    for (let k = 0; k < count; k++) {
      const m = message(r, { topic, lang, c, agentName: agent.name, k, html: channel === 'email', previous });
      if (k === 0) {
        subject = m.subject;
        first = m;
      }
      previous = m.bodyClean;
      const cid = ids.conversation++;
      const out = m.direction === 'out';
      if (out) {
        lastOut = at;
        firstResponse ??= at;
      } else lastIn = at;
      b.conversations.push({
        id: cid, ticket_id: tid, external_conversation_id: `seed-${tid}-${k}`, type: TYPE_OF_CHANNEL[channel] ?? 'email', direction: m.direction,
        private: 0, is_draft: 0, subchannel_id: ref.subchannels.get(channel) ?? null,
        from_email: out ? ref.mailbox : c.email, from_name: out ? agent.name : c.name, agent_id: out ? agent.id : null,
        sender: JSON.stringify(out ? { id: agent.id, name: agent.name, email: agent.email } : { id: null, name: c.name, email: c.email }),
        to_emails: JSON.stringify([out ? c.email : ref.mailbox]), cc_emails: '[]', bcc_emails: '[]',
        subject: m.subject, body: m.body, body_plain: m.bodyPlain, body_clean: m.bodyClean, content: '{}',
        intent_codes: JSON.stringify(out ? [] : [topic.code]), process: 'false', cortex_request_id: null, crm_notification_id: null,
        contract_id: c.contractId, customer_id: c.customerId, raw_data: null, message_id: channel === 'email' ? `seed-${tid}-${k}@seed.ticketmind.invalid` : null,
        delivery_status: out ? 'stored' : null, delivery_error: null, smtp_response: null, sent_at: null,
        created_at: at, modified_at: at, deleted_at: null,
      });
      const data = JSON.stringify({ ticketId: tid, conversationId: cid, userId: out ? agent.id : null, crmNotificationId: null, direction: m.direction, externalConversationId: `seed-${tid}-${k}` });
      const event = (type: string) => b.events.push({ id: ids.event++, type, ticket_id: tid, conversation_id: cid, data, status: 'recorded', created_at: at, created_by: out ? agent.id : null });
      event('conversationStored');
      event(out ? 'conversationCreated' : k === 0 ? 'ticketCreated' : 'ticketResponse');
      at += int(r, 600, 3 * 86_400);
    }
    const closed = status === 'closed' ? at : null;
    b.tickets.push({
      id: tid, external_ticket_id: null, direction: 'in', from_email: c.email, from_name: c.name, to_emails: JSON.stringify([ref.mailbox]), cc_emails: '[]', bcc_emails: '[]',
      channel, subchannel_id: ref.subchannels.get(channel) ?? null, status, priority: weighted(r, PRIORITIES), subject,
      summary: status === 'closed' && r() < 0.5 ? `${lang === 'de' ? 'Kunde' : 'Customer'} ${c.name}: ${topic.subject[lang](c, r)}` : null,
      body: first.body, body_plain: first.bodyPlain, body_clean: first.bodyClean, sentiment: pick(r, ['positive', 'neutral', 'neutral', 'negative']), language: lang === 'de' ? 'German' : 'English',
      language_code: lang, ai_support_level: pick(r, ['human', 'human', 'bot', 'automated']), contract_id: c.contractId, customer_id: c.customerId,
      agent_id: status === 'open' && r() < 0.4 ? null : agent.id, worked_on_by: null, raw_data: null, cortex_request_id: null,
      created_at: created, modified_at: at, first_response_due_by: created + 86_400, due_by: created + 3 * 86_400, closed_at: closed,
      last_message_at: Math.max(lastIn ?? 0, lastOut ?? 0) || null, last_customer_message_at: lastIn, deleted_at: null, spam_status: null,
      first_response_at: firstResponse, last_agent_message_at: lastOut, customer_legitimation: null,
    });
    const tags = new Set<number>();
    for (let n = weighted(r, [[0, 30], [1, 50], [2, 20]] as const); n > 0; n--) tags.add(pick(r, ref.tagIds));
    for (const tag of tags) b.ticketTags.push({ ticket_id: tid, tag_id: tag });
    const aiAgent = ref.aiAgents.get(topic.code);
    if (aiAgent !== undefined) {
      b.intents.push({
        id: ids.intent++, ticket_id: tid, conversation_id: null, ai_agent_id: aiAgent, code: topic.code, confidence: Math.round((0.55 + r() * 0.44) * 1000) / 1000,
        data: '{}', status: status === 'closed' ? 'executed' : 'preview', created_at: created, modified_at: created,
      });
    }
  }
  return b;
}

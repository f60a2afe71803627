import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

// One source of truth for table shapes on both SQLite and PostgreSQL. Portable choices:
// times are integer Unix seconds (jobs: milliseconds), booleans are 0/1 integers,
// structured values are JSON text. See src/db/dialect.ts for the few real differences.

export interface AgentTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string | null;
  role: 'admin' | 'agent' | 'integration';
  enabled: number;
  created_at: number;
  modified_at: number;
  deleted_at: number | null;
}

export interface SessionTable {
  sid: string;
  agent_id: number | null;
  data: string;
  expires_at: number;
}

export interface ApiKeyTable {
  id: Generated<number>;
  agent_id: number;
  name: string;
  token_hash: string;
  last_chars: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface SettingTable {
  key: string;
  value: string;
}

export interface ChannelTable {
  name: string;
}

export interface SubchannelTable {
  id: Generated<number>;
  channel: string;
  name: string;
  is_default: number;
  interface: string;
  enabled: number;
  data: string | null;
  created_at: number;
}

export interface TagTable {
  id: Generated<number>;
  name: string;
  parent_id: number | null;
  color: string | null;
}

export interface TicketTable {
  id: Generated<number>;
  external_ticket_id: string | null;
  direction: string;
  from_email: string | null;
  from_name: string | null;
  to_emails: string;
  cc_emails: string;
  bcc_emails: string;
  channel: string;
  subchannel_id: number | null;
  status: string;
  priority: string;
  subject: string;
  summary: string | null;
  body: string;
  body_plain: string;
  body_clean: string;
  sentiment: string | null;
  language: string | null;
  language_code: string | null;
  ai_support_level: string;
  /** Enneo's spam classification; null = not classified (migration 007) */
  spam_status: string | null;
  contract_id: string | null;
  customer_id: string | null;
  agent_id: number | null;
  worked_on_by: string | null;
  raw_data: string | null;
  cortex_request_id: number | null;
  created_at: number;
  modified_at: number;
  first_response_due_by: number | null;
  due_by: number | null;
  closed_at: number | null;
  last_message_at: number | null;
  last_customer_message_at: number | null;
  /** The first / last agent reply that went out to the customer (migration 006). */
  first_response_at: number | null;
  last_agent_message_at: number | null;
  /** Enneo's legitimation level (migration 009): 0 none … 20 legitimated by rules, 30/40 by a person; null = not looked at. */
  customer_legitimation: number | null;
  deleted_at: number | null;
}

export interface TicketTagTable {
  ticket_id: number;
  tag_id: number;
}

export interface ConversationTable {
  id: Generated<number>;
  ticket_id: number;
  external_conversation_id: string | null;
  type: string;
  direction: string;
  private: number;
  is_draft: number;
  subchannel_id: number | null;
  from_email: string | null;
  from_name: string | null;
  agent_id: number | null;
  sender: string;
  to_emails: string;
  cc_emails: string;
  bcc_emails: string;
  subject: string | null;
  body: string;
  body_plain: string;
  body_clean: string;
  content: string;
  intent_codes: string;
  process: string;
  cortex_request_id: number | null;
  crm_notification_id: string | null;
  contract_id: string | null;
  customer_id: string | null;
  raw_data: string | null;
  /** RFC 5322 Message-ID without angle brackets (mail fetched or sent); unique where set. */
  message_id: string | null;
  /** Replies only (migration 006): draft | queued | sending | sent | failed | stored; null otherwise. */
  delivery_status: DeliveryStatus | null;
  delivery_error: string | null;
  smtp_response: string | null;
  sent_at: number | null;
  created_at: number;
  modified_at: number;
  deleted_at: number | null;
}

export type DeliveryStatus = 'draft' | 'queued' | 'sending' | 'sent' | 'failed' | 'stored';

export interface AttachmentTable {
  id: Generated<number>;
  conversation_id: number;
  ticket_id: number;
  position: number;
  name: string;
  original_url: string | null;
  had_base64: number;
  blob_key: string | null;
  size: number | null;
  width: number | null;
  height: number | null;
  inline: number;
  file_ending: string | null;
  content_type: string | null;
  risk: string | null;
  extraction_status: string;
  extraction_data: string | null;
  created_at: number;
}

export interface EventTable {
  id: Generated<number>;
  type: string;
  ticket_id: number | null;
  conversation_id: number | null;
  data: string;
  status: string;
  created_at: number;
  created_by: number | null;
}

export interface JobTable {
  id: Generated<number>;
  task: string;
  payload: string;
  job_key: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  max_attempts: number;
  run_at: number;
  locked_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface IdempotencyKeyTable {
  actor: string;
  key: string;
  fingerprint: string;
  status_code: number | null;
  response: string | null;
  created_at: number;
}

export interface AiAgentTable {
  id: Generated<number>;
  code: string;
  name_de: string;
  name_en: string;
  description: string;
  examples: string;
  enabled: number;
  /** JSON playbook (migration 009, src/automation/playbook.ts); null = the shipped default for the code. */
  playbook: string | null;
  created_at: number;
  modified_at: number;
}

export interface TicketIntentTable {
  id: Generated<number>;
  ticket_id: number;
  conversation_id: number | null;
  ai_agent_id: number;
  code: string;
  confidence: number;
  data: string;
  /** preview | ready | executed | invalidated (migration 009) */
  status: string;
  created_at: number;
  contract_id: string | null;
  options: string | null;
  infos: string | null;
  outcome: string | null;
  action_result: string | null;
  auto_queued_at: number | null;
  exec_claim: string | null;
  exec_claim_until: number | null;
  reply_after_conversation_id: number | null;
  reply_conversation_id: number | null;
  executed_at: number | null;
  executed_by: number | null;
  modified_at: number | null;
}

export interface CortexRequestTable {
  id: Generated<number>;
  conversation_id: number;
  ticket_id: number;
  mode: string;
  provider: string;
  model: string;
  status: 'running' | 'success' | 'failed';
  inputs: string;
  outputs: string | null;
  steps: string;
  error: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface Database {
  agents: AgentTable;
  sessions: SessionTable;
  api_keys: ApiKeyTable;
  settings: SettingTable;
  channels: ChannelTable;
  subchannels: SubchannelTable;
  reply_templates: ReplyTemplateTable;
  tags: TagTable;
  tickets: TicketTable;
  ticket_tags: TicketTagTable;
  conversations: ConversationTable;
  attachments: AttachmentTable;
  events: EventTable;
  jobs: JobTable;
  idempotency_keys: IdempotencyKeyTable;
  ai_agents: AiAgentTable;
  ticket_intents: TicketIntentTable;
  cortex_requests: CortexRequestTable;
  event_hooks: EventHookTable;
  hook_deliveries: HookDeliveryTable;
  hook_delivery_attempts: HookDeliveryAttemptTable;
  mailbox_state: MailboxStateTable;
  mail_messages: MailMessageTable;
  mail_quarantine: MailQuarantineTable;
}

export type TicketRow = Selectable<TicketTable>;
export type NewTicket = Insertable<TicketTable>;
export type TicketUpdate = Updateable<TicketTable>;
export type ConversationRow = Selectable<ConversationTable>;
export type NewConversation = Insertable<ConversationTable>;
export type ConversationUpdate = Updateable<ConversationTable>;
export type AttachmentRow = Selectable<AttachmentTable>;
export type AgentRow = Selectable<AgentTable>;
export type EventRow = Selectable<EventTable>;
export type SubchannelRow = Selectable<SubchannelTable>;
export type JobRow = Selectable<JobTable>;
export type AiAgentRow = Selectable<AiAgentTable>;
export type TicketIntentRow = Selectable<TicketIntentTable>;

export interface ReplyTemplateTable {
  id: Generated<number>;
  name: string;
  /** JSON {de?, en?} */
  subjects: string;
  /** JSON {de?, en?} */
  bodies: string;
  created_at: number;
  modified_at: number;
}

export interface EventHookTable {
  id: Generated<number>;
  url: string;
  event_types: string;
  secret: string;
  enabled: number;
  start_event_id: number;
  consecutive_failures: Generated<number>;
  disabled_reason: string | null;
  disabled_at: number | null;
  created_by: number | null;
  created_at: number;
  modified_at: number;
}

export interface HookDeliveryTable {
  id: Generated<number>;
  hook_id: number;
  event_id: number;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: Generated<number>;
  last_response_code: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export interface HookDeliveryAttemptTable {
  id: Generated<number>;
  delivery_id: number;
  hook_id: number;
  attempt: number;
  status: 'success' | 'retry' | 'failed';
  response_code: number | null;
  error: string | null;
  duration_ms: number;
  started_at: number;
  finished_at: number;
  next_retry_at: number | null;
}


export type EventHookRow = Selectable<EventHookTable>;

/** Per mailbox: the IMAP position committed with the conversations it produced, and the fetch lease. */
export interface MailboxStateTable {
  subchannel_id: number;
  uidvalidity: string | null;
  last_uid: number;
  lease_owner: string | null;
  /** ms */
  lease_until: number | null;
  last_error: string | null;
  last_fetch_at: number | null;
}

/** The raw message of a conversation fetched from a mailbox. */
export interface MailMessageTable {
  conversation_id: number;
  subchannel_id: number;
  uidvalidity: string;
  uid: number;
  raw_blob_key: string;
  size: number;
  created_at: number;
}

/** Mail set aside: poison (unparseable, unstorable, too large) or never a ticket (auto-reply, bounce, list). */
export interface MailQuarantineTable {
  id: Generated<number>;
  subchannel_id: number;
  uidvalidity: string;
  uid: number;
  message_id: string | null;
  kind: 'poison' | 'too_large' | 'auto_reply' | 'bounce' | 'list';
  error: string;
  raw_blob_hash: string | null;
  size: number;
  created_at: number;
}

// The API's shapes as the app reads them (src/tickets/serialize.ts, src/http/schemas/).
export interface Ticket {
  id: number;
  status: string;
  priority: string;
  channel: string;
  subject: string | null;
  from: string | null;
  fromName: string | null;
  customerId: string | null;
  contractId: string | null;
  aiSupportLevel: string;
  dueBy: string | null;
  firstResponseDueBy: string | null;
  createdAt: string;
  lastMessageAt: string | null;
  agentId: number | null;
  tagIds: number[];
  summary: string | null;
  subchannelId: number | null;
}

export interface Attachment {
  id: string;
  url: string | null;
  name: string;
  size: number | null;
  inline: boolean;
  contentType: string | null;
  risk: string | null;
  extractedData: Record<string, any> | null;
  extractionStatus: string;
}

export interface Conversation {
  id: number;
  type: string;
  direction: string;
  private: boolean;
  isDraft: boolean;
  fromEmail: string | null;
  fromEmailName: string | null;
  agentId: number | null;
  toEmail: string[];
  ccEmails: string[];
  subject: string | null;
  body: string;
  bodyPlain: string;
  intentIds: string[];
  cortexRequestId: number | null;
  attachments: Attachment[];
  createdAt: number;
  deliveryStatus?: string;
}

export interface TicketIntent { code: string; name: string; nameDe: string | null; confidence: number }
export interface AiAgent { id: number; code: string; name: string; names?: { de?: string; en?: string }; enabled: boolean; description?: string }
export interface ProfileRow { id: number; email: string; name: string; role: string; enabled: boolean }
export interface Tag { id: number; name: string }

export const STATUSES = ['open', 'pending', 'closed'] as const;
export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const CHANNELS = ['email', 'portal', 'phone', 'letter', 'system', 'chat', 'walkIn'] as const;

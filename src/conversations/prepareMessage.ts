import { Invalid, PayloadTooLarge } from '../errors.js';
import { nowSeconds, parseDateInput } from '../time.js';
import { parseAddress, parseRecipients, formatAddress } from './addresses.js';
import { deriveBodies } from './deriveBodies.js';
import type { StoreBody } from '../http/schemas/conversation.js';
import { validateAttachmentInputs, type AttachmentInput } from '../attachments/validateAttachments.js';
import { normalizeStatus, parseTicketDates } from '../tickets/rules.js';

/** MESSAGE_BODY_MAX_CHARS's default: 1 MB of text; a message is stored with up to three bodies and read back with every conversation list. */
export const defaultMaxBodyChars = 1_000_000;

// A 24 MB body took the process from 381 MB to 1.9 GB and made every later list of its ticket 96 MB.
function checkBodyLengths(input: Pick<StoreBody, 'body' | 'bodyPlain' | 'bodyClean'>, max: number): void {
  for (const field of ['body', 'bodyPlain', 'bodyClean'] as const) {
    const v = input[field];
    if (typeof v === 'string' && v.length > max) throw new PayloadTooLarge(`${field} has ${v.length} characters; at most ${max} are stored (MESSAGE_BODY_MAX_CHARS)`, field);
  }
}

export type ProcessMode = 'realtime' | 'batch' | 'false';

/** Body wins over the query parameter (Enneo's clients send `?process=batch`). */
export function resolveProcess(body: unknown, query: unknown): ProcessMode {
  const v = body ?? query ?? 'batch';
  if (v === false || v === 'false') return 'false';
  if (v === 'realtime' || v === 'batch') return v;
  throw new Invalid('process', `"${String(v)}" is not a process mode; use realtime, batch or false`);
}

/**
 * Everything about an incoming message that can be checked and derived without the database:
 * addresses, dates, bodies, attachment inputs. Runs before any transaction opens, so a request
 * that breaks a rule here costs no database work.
 */
export async function prepareMessage(input: StoreBody, processQuery?: string, maxBodyChars = defaultMaxBodyChars) {
  const process = resolveProcess(input.process, processQuery);
  const body = input.body ?? '';
  checkBodyLengths(input, maxBodyChars);
  const from = input.from ? parseAddress(input.from, 'from') : null;
  const recipients = parseRecipients({ to: input.to, ccEmails: input.ccEmails, bccEmails: input.bccEmails });
  const createdAt = input.createdAt != null ? parseDateInput(input.createdAt, 'createdAt') : nowSeconds();
  // Parsed here, once, so a bad date fails before the transaction; the ticket rules take seconds.
  const ticketDates = parseTicketDates(input);
  if (input.status != null) normalizeStatus(input.status);
  const { bodyPlain, bodyClean } = await deriveBodies(body, input.bodyPlain, input.bodyClean);
  const intentIds = input.intentIds ?? [];
  const attachments: AttachmentInput[] = validateAttachmentInputs(input.attachments ?? []);
  const content = input.content && Object.keys(input.content).length > 0 ? input.content : { message: bodyClean };
  const crm = input.crmNotificationId;
  return {
    process,
    direction: input.direction ?? 'in',
    type: input.type ?? 'html',
    isPrivate: input.private ?? false,
    fromEmail: from?.address ?? null,
    fromName: input.fromName ?? from?.name ?? null,
    fromDisplay: from ? formatAddress({ address: from.address, name: input.fromName ?? from.name }) : null,
    to: recipients.to!,
    cc: recipients.ccEmails!,
    bcc: recipients.bccEmails!,
    subject: input.subject ?? null,
    body,
    bodyPlain,
    bodyClean,
    content,
    createdAt,
    senderInput: input.sender && Object.keys(input.sender).length > 0 ? input.sender : null,
    rawData: input.rawData ?? null,
    crmNotificationId: crm === null || crm === undefined ? null : String(crm),
    contractId: input.contractId ?? null,
    customerId: input.customerId ?? null,
    externalConversationId: input.externalConversationId ?? null,
    intentIds,
    attachments,
    subchannelId: input.subchannelId ?? null,
    agentId: input.agentId ?? null,
    ticketChanges: {
      status: input.status ?? null,
      priority: input.priority ?? null,
      dueBy: ticketDates.dueBy ?? null,
      firstResponseDueBy: ticketDates.firstResponseDueBy ?? null,
    },
  };
}

export type PreparedMessage = Awaited<ReturnType<typeof prepareMessage>>;

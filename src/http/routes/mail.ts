import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { answers } from '../schemas/responses.js';
import type { AppContext } from '../../context.js';
import { Invalid, NotFound } from '../../errors.js';
import { Id, IdParams, Nullable, Offset } from '../schemas/common.js';
import type { MailFetcher } from '../../mail/mailFetcher.js';
import { readMailbox } from '../../mail/mailboxSettings.js';
import { listQuarantine } from '../../mail/quarantine.js';
import { testMailboxConnection } from '../../mail/connectionTest.js';

const FetchReport = Type.Object({
  subchannelId: Type.Integer(),
  stored: Type.Integer({ description: 'mails stored as conversations in this pass' }),
  duplicates: Type.Integer({ description: 'mails whose Message-ID was stored already' }),
  quarantined: Type.Integer({ description: 'mails set aside (GET …/settings/subchannel/{id}/quarantine)' }),
  more: Type.Boolean({ description: 'mail is left for the next pass (MAIL_FETCH_BATCH or the per-minute rate)' }),
  skipped: Type.Optional(Type.String()),
  leaseHeld: Type.Optional(Type.Boolean({ description: 'true when skipped because another process holds the mailbox' })),
  error: Type.Optional(Type.String()),
  conversations: Type.Array(Type.Object({ ticketId: Type.Integer(), conversationId: Type.Integer(), newTicket: Type.Boolean(), messageId: Type.String() })),
});
const FetchAnswer = Type.Object({ success: Type.Boolean(), fetched: Type.Integer(), mailboxes: Type.Array(FetchReport) });

const StepReport = Nullable(Type.Object({
  ok: Type.Boolean(),
  step: Type.String({ description: 'dns, tcp, tls, auth, folder (IMAP), smtp / imap (the server answered with an error), done' }),
  message: Type.String(),
}));

const QuarantineItem = Type.Object({
  id: Type.Integer(), subchannelId: Type.Integer(), uidValidity: Type.String(), uid: Type.Integer(), messageId: Nullable(Type.String()),
  kind: Type.String({ description: 'poison, too_large, auto_reply, list, bounce' }), error: Type.String(),
  rawBlobHash: Nullable(Type.String()), size: Type.Integer(), createdAt: Type.String(),
});

const fetchDescription = 'Fetches now instead of at the next IDLE wake-up or poll: one pass of at most MAIL_FETCH_BATCH new mails per mailbox, '
  + 'each stored like conversation/store (threaded by In-Reply-To / References, then a [#id] subject tag). A mailbox another process is '
  + 'fetching at this moment is reported as skipped.';

/** The mail routes: fetch now (Enneo's webhook paths), the quarantine, the raw message, the connection test. */
export const mailRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; fetcher: MailFetcher }> = async (app, { ctx, fetcher }) => {
  const answer = (reports: Awaited<ReturnType<MailFetcher['fetchNow']>>) => ({
    success: reports.every((r) => !r.error), fetched: reports.reduce((n, r) => n + r.stored, 0), mailboxes: reports,
  });

  app.post('/api/mind/webhook/fetchEmails', {
    schema: { tags: ['mail'], summary: 'Fetch every mailbox now', description: fetchDescription, response: answers({ 200: FetchAnswer }) },
    handler: async () => answer(await fetcher.fetchNow()),
  });

  app.post('/api/mind/webhook/fetchEmails/:subchannelId', {
    schema: { tags: ['mail'], summary: 'Fetch one mailbox now', description: fetchDescription, params: Type.Object({ subchannelId: Id }), response: answers({ 200: FetchAnswer }) },
    handler: async (request) => answer(await fetcher.fetchNow(request.params.subchannelId)),
  });

  app.get('/api/mind/settings/subchannel/:id/quarantine', {
    config: { admin: true },
    schema: {
      tags: ['mail'], summary: 'Mail set aside from this mailbox (admin), newest first',
      description: 'poison: could not be parsed or the store refused it (the error says why); too_large: over MAIL_MAX_BYTES, not downloaded; auto_reply, list, bounce: machine mail that opens no ticket. The mailbox moved on past each of them.',
      params: IdParams,
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), offset: Offset }),
      response: answers({ 200: Type.Object({ success: Type.Boolean(), items: Type.Array(QuarantineItem) }) }),
    },
    handler: async (request) => {
      if (!(await readMailbox(ctx.db, ctx.secretBox, request.params.id))) throw new NotFound('email subchannel', request.params.id, 'id');
      return { success: true, items: await listQuarantine(ctx.db, request.params.id, request.query.limit, request.query.offset) };
    },
  });

  app.post('/api/mind/settings/subchannel/:id/test', {
    config: { admin: true },
    schema: {
      tags: ['mail'], summary: 'Test the mailbox settings (admin): IMAP login and folder, SMTP login',
      description: 'Answers 200 with success false and, per protocol, the step that failed (dns, tcp, tls, auth, folder) and what to do about it.',
      params: IdParams,
      response: answers({ 200: Type.Object({ success: Type.Boolean(), imap: StepReport, smtp: StepReport }) }),
    },
    handler: async (request) => {
      const box = await readMailbox(ctx.db, ctx.secretBox, request.params.id);
      if (!box) throw new NotFound('email subchannel', request.params.id, 'id');
      if (!box.imap && !box.smtp) throw new Invalid('data', 'the subchannel has neither imap nor smtp settings to test', 'mailbox_not_configured');
      return testMailboxConnection(ctx, box);
    },
  });

  app.get('/api/mind/ticket/:ticketId/conversation/:conversationId/raw', {
    schema: {
      tags: ['conversations'], summary: 'The raw message of a conversation fetched from a mailbox (message/rfc822)',
      params: Type.Object({ ticketId: Id, conversationId: Id }),
      response: answers({ 200: Type.Any({ description: 'the message as fetched, message/rfc822' }) }),
    },
    handler: async (request, reply) => {
      const row = await ctx.db.kysely.selectFrom('mail_messages').innerJoin('conversations', 'conversations.id', 'mail_messages.conversation_id')
        .select(['mail_messages.raw_blob_key', 'mail_messages.size'])
        .where('mail_messages.conversation_id', '=', request.params.conversationId)
        .where('conversations.ticket_id', '=', request.params.ticketId)
        .executeTakeFirst();
      if (!row) throw new NotFound('raw message of conversation', request.params.conversationId, 'conversationId');
      reply
        .header('content-type', 'message/rfc822')
        .header('content-length', String(row.size))
        .header('content-disposition', `attachment; filename="conversation-${request.params.conversationId}.eml"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=3600');
      return reply.send(ctx.blobs.stream(row.raw_blob_key));
    },
  });
};

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { NotFound } from '../../errors.js';
import { servedInline } from '../../attachments/classify.js';
import { Id } from '../schemas/common.js';
import { answers, binaryAnswer } from '../schemas/responses.js';

export const attachmentRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/mind/ticket/:ticketId/attachment/:attachmentId', {
    schema: {
      tags: ['conversations'],
      summary: "An attachment's bytes",
      description: 'Images and PDFs are served inline, everything else (HTML and SVG always) as a download, with nosniff and a sandboxing CSP.',
      params: Type.Object({ ticketId: Id, attachmentId: Id }),
      // The bytes are streamed as they are (a stream is never serialised); the schema documents them.
      response: answers({ 200: binaryAnswer('the file') }),
    },
    handler: async (request, reply) => {
      const a = await ctx.db.kysely
        .selectFrom('attachments')
        .select(['name', 'blob_key', 'content_type', 'size'])
        .where('id', '=', request.params.attachmentId)
        .where('ticket_id', '=', request.params.ticketId)
        .executeTakeFirst();
      if (!a || !a.blob_key) throw new NotFound('attachment', request.params.attachmentId, 'attachmentId');
      const inline = servedInline(a.content_type);
      const contentType = inline || a.content_type === 'text/plain' ? a.content_type! : 'application/octet-stream';
      const ascii = a.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
      reply
        .header('content-type', contentType)
        .header('content-length', String(a.size))
        .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(a.name)}`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=3600');
      return reply.send(await ctx.blobs.stream(a.blob_key));
    },
  });
};

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { IdParams, Opt } from '../schemas/common.js';
import { answers, SuccessOnly } from '../schemas/responses.js';
import { createTemplate, deleteTemplate, getTemplate, listTemplates, updateTemplate } from '../../replies/templates.js';

const Text = (max: number) => Type.String({ maxLength: max });
const PerLanguage = (max: number) => Type.Union([Text(max), Type.Object({ de: Opt(Text(max)), en: Opt(Text(max)) })], { description: 'one text for every language, or {de, en}' });
const Template = Type.Object({
  id: Type.Integer(), name: Type.String(),
  subject: Type.Record(Type.String(), Type.String()), body: Type.Record(Type.String(), Type.String()),
  createdAt: Type.Integer(), modifiedAt: Type.Integer(),
});
const OneTemplate = Type.Object({ success: Type.Boolean(), template: Template });
const Body = {
  subject: Opt(PerLanguage(2000)),
  body: Opt(PerLanguage(200_000)),
};

// Reply templates (src/replies/templates.ts): read by every agent, written by admins.
export const templateRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/mind/template', {
    schema: { tags: ['replies'], summary: 'Reply templates: a body and subject per language with {{placeholders}} (ticket.id, ticket.subject, customer.name, customer.email, agent.name, and the reply\'s template.data)', response: answers({ 200: Type.Object({ success: Type.Boolean(), templates: Type.Array(Template) }) }) },
    handler: async () => ({ success: true, templates: await listTemplates(ctx.db) }),
  });
  app.get('/api/mind/template/:id', {
    schema: { tags: ['replies'], summary: 'One reply template', params: IdParams, response: answers({ 200: OneTemplate }) },
    handler: async (request) => ({ success: true, template: await getTemplate(ctx.db, request.params.id) }),
  });
  app.post('/api/mind/template', {
    config: { admin: true },
    schema: { tags: ['replies'], summary: 'Add a reply template (admin)', body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), ...Body }), response: answers({ 200: OneTemplate }) },
    handler: async (request) => ({ success: true, template: await createTemplate(ctx.db, request.body) }),
  });
  app.patch('/api/mind/template/:id', {
    config: { admin: true },
    schema: { tags: ['replies'], summary: 'Change a reply template (admin)', params: IdParams, body: Type.Object({ name: Opt(Type.String({ minLength: 1, maxLength: 200 })), ...Body }), response: answers({ 200: OneTemplate }) },
    handler: async (request) => ({ success: true, template: await updateTemplate(ctx.db, request.params.id, request.body) }),
  });
  app.delete('/api/mind/template/:id', {
    config: { admin: true },
    schema: { tags: ['replies'], summary: 'Delete a reply template (admin)', params: IdParams, response: answers({ 200: SuccessOnly }) },
    handler: async (request) => {
      await deleteTemplate(ctx.db, request.params.id);
      return { success: true };
    },
  });
};

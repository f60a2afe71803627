import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { answers } from '../schemas/responses.js';
import type { AppContext } from '../../context.js';
import { filterSettings, instanceSettings, searchSettings } from '../../settings/instanceSettings.js';
import { Nullable } from '../schemas/common.js';

const Setting = Type.Object({
  name: Type.String({ description: 'the environment variable (or a derived name: version, nodeVersion, database, …Enabled)' }),
  category: Type.String({ description: 'http, storage, security, jobs, ai, attachments, eventHooks, processing, retention, mail, operations, version, features, general' }),
  value: Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()], { description: 'secrets show as "[redacted]" when set, "" when not; URLs without credentials' }),
  description: Nullable(Type.String()),
});
const SettingsResponse = Type.Object({ success: Type.Boolean(), settings: Type.Array(Setting) });
const NameList = Type.String({ maxLength: 2000, description: 'comma-separated, exact, case-insensitive' });

// Read-only: the configuration comes from the environment (src/config.ts); there is no editor.
export const instanceSettingsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/mind/settings', {
    schema: {
      tags: ['settings'],
      summary: "The instance's settings (validated config, version, feature switches), secrets redacted",
      querystring: Type.Object({ filterByName: Type.Optional(NameList), filterByCategory: Type.Optional(NameList) }, { additionalProperties: true }),
      response: answers({ 200: SettingsResponse }),
    },
    handler: async (request) => ({ success: true, settings: filterSettings(instanceSettings(ctx), request.query) }),
  });
  app.get('/api/mind/settings/search', {
    schema: {
      tags: ['settings'],
      summary: 'Settings whose name, category, description or shown value contain `q` (case-insensitive)',
      querystring: Type.Object({ q: Type.String({ maxLength: 200 }) }, { additionalProperties: true }),
      response: answers({ 200: SettingsResponse }),
    },
    handler: async (request) => ({ success: true, settings: searchSettings(instanceSettings(ctx), request.query.q) }),
  });
  app.get('/api/mind/settings/category/:category', {
    schema: {
      tags: ['settings'],
      summary: 'The settings of one category (an unknown category has none)',
      params: Type.Object({ category: Type.String({ minLength: 1, maxLength: 100 }) }),
      response: answers({ 200: SettingsResponse }),
    },
    handler: async (request) => ({ success: true, settings: filterSettings(instanceSettings(ctx), { filterByCategory: request.params.category }) }),
  });
};

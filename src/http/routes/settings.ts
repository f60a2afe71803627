import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { AnyObject, IdParams, Opt } from '../schemas/common.js';
import { Channel } from '../schemas/ticket.js';
import { createSubchannel, deleteSubchannel, getSubchannel, listSubchannels, updateSubchannel } from '../../settings/subchannels.js';
import { createTag, deleteTag, listTags } from '../../settings/tags.js';
import { answers, SuccessId, SuccessOnly } from '../schemas/responses.js';
import { Subchannel, SubchannelsResponse, TagsResponse } from '../schemas/settingsResponse.js';


export const settingsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/mind/settings/subchannel', {
    schema: { tags: ['settings'], summary: 'Subchannels (mailboxes, chat bots, phone lines)', response: answers({ 200: SubchannelsResponse }) },
    handler: async () => ({ success: true, subchannels: await listSubchannels(ctx.db) }),
  });
  app.post('/api/mind/settings/subchannel', {
    config: { admin: true },
    schema: {
      tags: ['settings'],
      summary: 'Add a subchannel (admin); an `id` in the body is ignored, ids are generated',
      body: Type.Object({
        channel: Channel,
        name: Type.String({ minLength: 1, maxLength: 200 }),
        isDefault: Opt(Type.Boolean()),
        interface: Opt(Type.String({ minLength: 1, maxLength: 40 })),
        enabled: Opt(Type.Boolean()),
        data: Opt(AnyObject),
      }, { additionalProperties: true }),
      response: answers({ 200: SuccessId }),
    },
    handler: async (request) => {
      return { success: true, id: await createSubchannel(ctx.db, ctx.secretBox, request.body) };
    },
  });
  app.get('/api/mind/settings/subchannel/:id', {
    schema: { tags: ['settings'], summary: 'One subchannel; mailbox passwords are never returned (`passwordSet` says whether one is stored)', params: IdParams, response: answers({ 200: Type.Object({ success: Type.Boolean(), subchannel: Subchannel }) }) },
    handler: async (request) => ({ success: true, subchannel: await getSubchannel(ctx.db, request.params.id) }),
  });
  app.patch('/api/mind/settings/subchannel/:id', {
    config: { admin: true },
    schema: {
      tags: ['settings'],
      summary: 'Change a subchannel (admin); `data` replaces the stored object, a mailbox password left out of it is kept',
      params: IdParams,
      body: Type.Object({
        name: Opt(Type.String({ minLength: 1, maxLength: 200 })),
        isDefault: Opt(Type.Boolean()),
        interface: Opt(Type.String({ minLength: 1, maxLength: 40 })),
        enabled: Opt(Type.Boolean()),
        data: Opt(AnyObject),
      }, { additionalProperties: true }),
      response: answers({ 200: Type.Object({ success: Type.Boolean(), subchannel: Subchannel }) }),
    },
    handler: async (request) => {
      await updateSubchannel(ctx.db, ctx.secretBox, request.params.id, request.body);
      return { success: true, subchannel: await getSubchannel(ctx.db, request.params.id) };
    },
  });
  app.delete('/api/mind/settings/subchannel/:id', {
    config: { admin: true },
    schema: { tags: ['settings'], summary: 'Delete a subchannel (admin); refused while tickets use it', params: IdParams, response: answers({ 200: SuccessOnly }) },
    handler: async (request) => {
      await deleteSubchannel(ctx.db, request.params.id);
      return { success: true };
    },
  });

  app.get('/api/mind/tag', {
    schema: { tags: ['settings'], summary: 'Tags', response: answers({ 200: TagsResponse }) },
    handler: async () => ({ success: true, tags: await listTags(ctx.db) }),
  });
  app.post('/api/mind/tag', {
    config: { admin: true },
    schema: {
      tags: ['settings'],
      summary: 'Add a tag (admin)',
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), parentId: Opt(Type.Integer({ minimum: 1 })), color: Opt(Type.String({ maxLength: 20 })) }, { additionalProperties: true }),
      response: answers({ 200: SuccessId }),
    },
    handler: async (request) => {
      return { success: true, id: await createTag(ctx.db, request.body) };
    },
  });
  app.delete('/api/mind/tag/:id', {
    config: { admin: true },
    schema: { tags: ['settings'], summary: 'Delete a tag (admin)', params: IdParams, response: answers({ 200: SuccessOnly }) },
    handler: async (request) => {
      await deleteTag(ctx.db, request.params.id);
      return { success: true };
    },
  });
};

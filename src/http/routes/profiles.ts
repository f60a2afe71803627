import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { actorOf } from '../auth.js';
import { requireAdmin, requireSelfOrAdmin } from '../../auth/actor.js';
import { createProfile, deleteProfile, getProfile, listProfiles, updateProfile } from '../../agents/profiles.js';
import { assertMayChangeCredentials } from '../../auth/credentials.js';
import { listApiKeys, mintApiKey, revokeApiKey } from '../../auth/apiKeys.js';
import { Id, IdParams, Opt } from '../schemas/common.js';
import { answers, SuccessId, SuccessOnly } from '../schemas/responses.js';
import { ApiKeysResponse, MintedKeyResponse, OwnProfileResponse, ProfileResponse, ProfilesResponse } from '../schemas/accountResponse.js';

const Role = Type.Union([Type.Literal('admin'), Type.Literal('agent'), Type.Literal('integration')]);
const ProfileParams = Type.Object({ profileId: Id });

export const profileRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/mind/profile', {
    schema: { tags: ['profiles'], summary: 'The calling profile', response: answers({ 200: OwnProfileResponse }) },
    handler: async (request) => ({ success: true, ...(await getProfile(ctx.db, actorOf(request).agentId)) }),
  });
  app.get('/api/mind/profiles', {
    schema: { tags: ['profiles'], summary: 'All profiles', response: answers({ 200: ProfilesResponse }) },
    handler: async () => ({ success: true, profiles: await listProfiles(ctx.db) }),
  });
  app.post('/api/mind/profile', {
    config: { admin: true },
    schema: {
      tags: ['profiles'],
      summary: 'Create a profile (admin)',
      body: Type.Object({ email: Type.String({ maxLength: 320 }), name: Type.String({ minLength: 1, maxLength: 200 }), password: Opt(Type.String({ maxLength: 200 })), role: Opt(Role), enabled: Opt(Type.Boolean()) }, { additionalProperties: true }),
      response: answers({ 200: SuccessId }),
    },
    handler: async (request) => {
      return { success: true, id: await createProfile(ctx.db, request.body) };
    },
  });
  app.get('/api/mind/profile/:id', {
    schema: { tags: ['profiles'], summary: 'One profile', params: IdParams, response: answers({ 200: ProfileResponse }) },
    handler: async (request) => ({ success: true, profile: await getProfile(ctx.db, request.params.id) }),
  });
  app.patch('/api/mind/profile/:id', {
    schema: {
      tags: ['profiles'],
      summary: 'Update a profile (own name/password, or admin)',
      params: IdParams,
      body: Type.Object({
        email: Opt(Type.String({ maxLength: 320 })),
        name: Opt(Type.String({ minLength: 1, maxLength: 200 })),
        password: Opt(Type.String({ maxLength: 200 })),
        currentPassword: Opt(Type.String({ maxLength: 200, description: 'the caller\'s own password; required to change password or email (not possible with an API key)' })),
        role: Opt(Role),
        enabled: Opt(Type.Boolean()),
      }, { additionalProperties: true }),
      response: answers({ 200: ProfileResponse }),
    },
    handler: async (request) => {
      const actor = actorOf(request);
      requireSelfOrAdmin(actor, request.params.id, 'changing the profile');
      if (actor.role !== 'admin' && (request.body.role != null || request.body.enabled != null)) requireAdmin(actor, 'changing role or enabled');
      if (request.body.password != null || request.body.email != null) await assertMayChangeCredentials(ctx.db, actor, request.body.currentPassword);
      return { success: true, profile: await updateProfile(ctx.db, request.params.id, request.body) };
    },
  });
  app.delete('/api/mind/profile/:id', {
    config: { admin: true },
    schema: { tags: ['profiles'], summary: 'Delete a profile (admin); its keys are revoked and sessions ended', params: IdParams, response: answers({ 200: SuccessOnly }) },
    handler: async (request) => {
      await deleteProfile(ctx.db, request.params.id, actorOf(request).agentId);
      return { success: true };
    },
  });

  app.post('/api/mind/jwt/:profileId', {
    schema: {
      tags: ['api keys'],
      summary: 'Mint an API key for a profile; the key is shown once',
      params: ProfileParams,
      body: Type.Optional(Type.Object({ name: Opt(Type.String({ minLength: 1, maxLength: 200 })), validDays: Opt(Type.Integer({ minimum: 1, maximum: 3650 })) }, { additionalProperties: true })),
      response: answers({ 200: MintedKeyResponse }),
    },
    handler: async (request) => {
      const actor = actorOf(request);
      requireSelfOrAdmin(actor, request.params.profileId, 'minting API keys');
      await getProfile(ctx.db, request.params.profileId);
      const key = await mintApiKey(ctx.db.kysely, {
        agentId: request.params.profileId,
        name: request.body?.name ?? 'API key',
        ttlDays: request.body?.validDays ?? ctx.config.API_KEY_TTL_DAYS,
        secret: ctx.secrets.apiKey,
      });
      return { success: true, id: key.id, name: key.name, token: key.token, jwt: key.token, lastChars: key.lastChars, createdAt: key.createdAt, expiresAt: key.expiresAt };
    },
  });
  app.get('/api/mind/jwt/:profileId/keys', {
    schema: { tags: ['api keys'], summary: "A profile's API keys (hash never shown)", params: ProfileParams, response: answers({ 200: ApiKeysResponse }) },
    handler: async (request) => {
      requireSelfOrAdmin(actorOf(request), request.params.profileId, 'listing API keys');
      return { success: true, keys: await listApiKeys(ctx.db.kysely, request.params.profileId) };
    },
  });
  app.delete('/api/mind/jwt/:profileId/keys/:keyId', {
    schema: { tags: ['api keys'], summary: 'Revoke an API key, effective at once', params: Type.Object({ profileId: Id, keyId: Id }), response: answers({ 200: SuccessOnly }) },
    handler: async (request) => {
      requireSelfOrAdmin(actorOf(request), request.params.profileId, 'revoking API keys');
      await revokeApiKey(ctx.db.kysely, request.params.profileId, request.params.keyId);
      return { success: true };
    },
  });
};

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import fastifyStatic from '@fastify/static';
import { fileTypeFromBuffer } from 'file-type';
import type { AppContext } from '../context.js';
import { DomainError, Invalid } from '../errors.js';
import { OutboundError, outboundRequest } from '../net/outbound.js';
import { IdParams } from './schemas/common.js';

// The agent inbox (web/, built by scripts/build-if-stale.mjs into dist/web) served by the API
// process itself. The page and its assets are public (the login page must load before a session
// exists); everything under /api keeps its own access. Only the app's own client-side paths fall
// back to index.html, not every unknown path: an anonymous caller still gets 401 for any URL that
// is not one of them (test/http/routeAccess.test.ts spells protected URLs many ways).

// src/http → the repository root; dist/http → the same root, so the bundle is found either way.
const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/**
 * The page's Content-Security-Policy. Customer mail is rendered into this page: even if the
 * sanitiser missed something, no script but the app's own bundle runs (no inline script, no
 * eval), and no image loads from anywhere but this origin — remote mail images come through
 * /api/web/remote-image only when the agent clicks. Inline styles stay allowed: mail HTML uses
 * style attributes, and CSS cannot run script or (with img-src/font-src this strict) fetch remotely.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// Client-side routes of web/src/router.ts; each answers with index.html.
const APP_PATHS = ['/', '/login', '/tickets', '/admin'];

const REMOTE_IMAGE_MAX_BYTES = 5 * 1024 * 1024;
const REMOTE_IMAGE_TIMEOUT_MS = 10_000;
// Raster formats only: an SVG is a document that can carry script.
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'image/x-icon', 'image/vnd.microsoft.icon']);

const ErrorResponse = Type.Object({ success: Type.Literal(false), error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }) });
const HtmlPage = Type.String({ description: 'the app page (text/html)' });

export const webAppRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Registered inside this (encapsulated) plugin: the CSP and frame headers apply to the app's
  // responses, not to the JSON API.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
  });
  // sendFile only; the routes below are ours so they can carry `config: { public: true }`.
  await app.register(fastifyStatic, { root: WEB_ROOT, serve: false });

  const sendPage = (reply: FastifyReply) => {
    if (!fs.existsSync(path.join(WEB_ROOT, 'index.html'))) {
      throw new DomainError(503, 'web_app_not_built', 'the web app is not built: run npm run build (npm start builds it when stale)');
    }
    // The page names hashed asset files: it must never be cached past a deploy.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', WEB_ROOT);
  };
  const pageSchema = { hide: true, response: { 200: HtmlPage, 503: ErrorResponse } };
  for (const url of APP_PATHS) {
    app.get(url, { config: { public: true }, schema: pageSchema }, async (_request, reply) => sendPage(reply));
  }
  app.get('/tickets/:id', { config: { public: true }, schema: { ...pageSchema, params: IdParams } }, async (_request, reply) => sendPage(reply));
  app.get('/admin/:section', {
    config: { public: true },
    schema: { ...pageSchema, params: Type.Object({ section: Type.String({ pattern: '^[a-z-]{1,40}$' }) }) },
  }, async (_request, reply) => sendPage(reply));

  app.get('/assets/*', {
    config: { public: true },
    schema: { hide: true, params: Type.Object({ '*': Type.String({ maxLength: 300 }) }), response: { 404: ErrorResponse } },
  }, async (request, reply) => {
    // `send` (under sendFile) refuses paths that leave the root; file names carry a content
    // hash, so they may be cached for good.
    return reply.header('cache-control', 'public, max-age=31536000, immutable').sendFile(request.params['*'], path.join(WEB_ROOT, 'assets'));
  });

  app.get('/api/web/remote-image', {
    schema: {
      tags: ['web app'],
      summary: 'A remote image of a mail, fetched by the server when the agent asks for it',
      description: 'The page\'s CSP allows images from this origin only; the inbox loads a mail\'s remote images through here after a click. ' +
        'Fetched through the outbound guard (no private, loopback or metadata addresses unless OUTBOUND_ALLOW_HOSTS names them), at most 5 MB, raster images only.',
      querystring: Type.Object({ url: Type.String({ minLength: 1, maxLength: 4096 }) }),
      response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'the image bytes' }), '4xx': ErrorResponse, '5xx': ErrorResponse },
    },
  }, async (request, reply) => {
    const { url } = request.query;
    if (!/^https?:\/\//i.test(url)) throw new Invalid('url', 'must be an http(s) URL');
    let res;
    try {
      res = await outboundRequest(url, { timeoutMs: REMOTE_IMAGE_TIMEOUT_MS, maxBytes: REMOTE_IMAGE_MAX_BYTES, maxRedirects: 3, allow: ctx.outboundAllow, headers: { accept: 'image/*' } });
    } catch (err) {
      if (err instanceof OutboundError) throw new Invalid('url', err.message, 'remote_image_unavailable');
      throw err;
    }
    if (res.status !== 200) throw new DomainError(422, 'remote_image_unavailable', `url: the server answered ${res.status}`, 'url');
    // The type comes from the bytes, never from the remote server's header.
    const type = await fileTypeFromBuffer(res.body);
    if (!type || !IMAGE_TYPES.has(type.mime)) throw new Invalid('url', 'is not a raster image (png, jpeg, gif, webp, avif, bmp, ico)', 'not_an_image');
    return reply.header('content-type', type.mime).header('cache-control', 'private, max-age=3600').send(res.body);
  });
};

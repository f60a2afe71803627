import http from 'node:http';
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';
import type { Config } from '../config.js';

// The edge of the service toward the network: how many connections it holds, how long a client
// may take to send its headers, its request, or to sit idle, and which request ids it adopts.

// A client-chosen X-Request-Id ends up in every log line of the request: short, and a charset
// that cannot forge log structure or headers. Anything else gets a generated id.
const REQUEST_ID = /^[\w.:@-]{1,128}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

export function serverOptions(config: Config): Pick<FastifyHttpOptions<http.Server>, 'serverFactory' | 'requestIdHeader' | 'genReqId' | 'return503OnClosing'> {
  // Node refuses a headers timeout above the request timeout.
  const headersTimeout = Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS);
  return {
    requestIdHeader: false,
    genReqId: requestIdOf,
    return503OnClosing: true,
    // Fastify applies its timeout options only to servers it creates; this one sets them all here.
    serverFactory: (handler) => {
      const server = http.createServer({
        headersTimeout,
        requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
        keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
        // How often Node looks for connections past the headers/request timeout (default 30 s).
        connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 2))),
      }, handler);
      server.maxConnections = config.HTTP_MAX_CONNECTIONS;
      server.setTimeout(config.HTTP_IDLE_TIMEOUT_MS);
      return server;
    },
  };
}

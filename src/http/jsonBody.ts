import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import { checkAndNormalizeJson, defaultJsonLimits, type JsonLimits } from './normalizeText.js';
import { decodeJsonBase64, largeBase64Placeholder, linkLargeBase64, sha256Hex, type LargeBase64 } from '../attachments/largeBase64.js';

export interface JsonBodyOptions {
  /** `attachments[i].base64` values with at least this many bytes of JSON text are decoded from the raw body */
  largeValueBytes?: number;
  /** the decoded size limit of one attachment (larger ones are judged, not decoded) */
  maxDecodedBytes: number;
  /** depth and size limits of the parsed value (normalizeText.ts) */
  limits?: JsonLimits;
}

type Done = (err: Error | null, body?: unknown) => void;
type JsonParser = (request: FastifyRequest, body: Buffer, done: Done) => void;

interface LargeValue {
  /** position of the attachment in the top-level `attachments` array */
  index: number;
  /** the string's content, between its quotes */
  start: number;
  end: number;
}

/**
 * The application/json parser. Bodies are read into one buffer (sized from content-length) with
 * the same limit and errors as Fastify's own parser; JSON is parsed by Fastify's default parser
 * (same 400s, same prototype-poisoning guard). A route whose body takes attachments gets its
 * large `attachments[i].base64` strings decoded straight from that buffer into the file's bytes:
 * JSON.parse sees a short placeholder instead, and storeAttachments finds the bytes through the
 * parsed attachment object (largeBase64.ts). A 20 MB file thus never exists as a 27 MB string
 * (plus its copies in the body string and in decodeBase64).
 * Every parsed body then passes checkAndNormalizeJson once: depth and size limits (a 400 naming
 * the path, before any recursive code such as JSON.stringify sees it) and text normalisation.
 */
export function registerJsonBodyParser(app: FastifyInstance, options: JsonBodyOptions): void {
  const threshold = options.largeValueBytes ?? 64 * 1024;
  const parseJson = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error') as unknown as JsonParser;
  app.removeContentTypeParser('application/json');
  const limits = options.limits ?? defaultJsonLimits;
  app.addContentTypeParser('application/json', (request: FastifyRequest, payload: IncomingMessage, parsed: Done) => {
    const done: Done = (err, body) => {
      if (err) return parsed(err);
      try {
        parsed(null, checkAndNormalizeJson(body, limits));
      } catch (e) {
        parsed(e as Error);
      }
    };
    readBody(request, payload, (err, body) => {
      if (err || !body) return done(err);
      if (body.length < threshold || !takesAttachments(request)) return parseJson(request, body, done);
      parseWithLargeValues(request, body, threshold, options.maxDecodedBytes, parseJson, done);
    });
  });
}

interface SchemaNode {
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}
const variants = (s: SchemaNode | undefined): SchemaNode[] => (s ? [s, ...(s.anyOf ?? []).flatMap(variants)] : []);

/** Only routes whose body schema has `attachments[].base64` (nullable or not) get placeholders. */
const takesAttachmentsCache = new WeakMap<object, boolean>();
function takesAttachments(request: FastifyRequest): boolean {
  const body = request.routeOptions.schema?.body as SchemaNode | undefined;
  if (!body || typeof body !== 'object') return false;
  let yes = takesAttachmentsCache.get(body);
  if (yes === undefined) {
    yes = variants(body).some((b) => variants(b.properties?.attachments).some((a) => variants(a.items).some((i) => i.properties?.base64 !== undefined)));
    takesAttachmentsCache.set(body, yes);
  }
  return yes;
}

/** Fastify's rawBody, collecting into one buffer instead of a list of chunks and their concatenation. */
function readBody(request: FastifyRequest, payload: IncomingMessage & { receivedEncodedLength?: number }, done: (err: Error | null, body?: Buffer) => void): void {
  const limit = request.routeOptions.bodyLimit;
  const contentLength = Number(request.headers['content-length']);
  if (contentLength > limit) return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  const known = Number.isInteger(contentLength) && contentLength >= 0;
  let buf = Buffer.allocUnsafe(known ? contentLength : Math.min(limit, 16 * 1024));
  let received = 0;

  const cleanup = () => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
  };
  function onData(chunk: Buffer | string) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (received + bytes.length > limit || (payload.receivedEncodedLength ?? 0) > limit) {
      cleanup();
      return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    }
    if (received + bytes.length > buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(limit, Math.max(received + bytes.length, buf.length * 2)));
      buf.copy(grown, 0, 0, received);
      buf = grown;
    }
    bytes.copy(buf, received);
    received += bytes.length;
  }
  function onEnd(err?: Error & { statusCode?: number }) {
    cleanup();
    if (err != null) {
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
      return done(err);
    }
    if (known && (payload.receivedEncodedLength || received) !== contentLength) return done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
    done(null, received === buf.length ? buf : buf.subarray(0, received));
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}

function parseWithLargeValues(request: FastifyRequest, body: Buffer, threshold: number, maxBytes: number, parseJson: JsonParser, done: Done): void {
  const found = findLargeBase64(body, threshold);
  if (!found || found.length === 0) return parseJson(request, body, done);

  const nonce = crypto.randomBytes(12).toString('hex');
  const fingerprinted = typeof request.headers['idempotency-key'] === 'string';
  const parts: Buffer[] = [];
  const taken: Array<{ index: number; placeholder: string; value: LargeBase64; textSha256: string | null }> = [];
  let from = 0;
  for (const v of found) {
    // Hashed before decoding may overwrite the text; only when the request has an Idempotency-Key.
    const textSha256 = fingerprinted ? sha256Hex(body.subarray(v.start, v.end)) : null;
    const value = decodeJsonBase64(body, v.start, v.end, maxBytes);
    if (value === null) continue; // unusual text: this value takes the ordinary path
    const placeholder = value === 'blank' ? '' : largeBase64Placeholder(nonce, taken.length);
    parts.push(body.subarray(from, v.start), Buffer.from(placeholder, 'latin1'));
    from = v.end;
    if (value !== 'blank') taken.push({ index: v.index, placeholder, value, textSha256 });
  }
  parts.push(body.subarray(from));
  const rest = parts.length === 1 ? body : Buffer.concat(parts);

  parseJson(request, rest, (err, parsed) => {
    if (err) return done(err);
    const list = (parsed as { attachments?: unknown } | null)?.attachments;
    for (const t of taken) {
      const holder: unknown = Array.isArray(list) ? list[t.index] : undefined;
      // A value whose key repeats (the last one wins in JSON.parse) may have been dropped.
      if (holder !== null && typeof holder === 'object' && (holder as { base64?: unknown }).base64 === t.placeholder) {
        linkLargeBase64(holder, t.placeholder, t.value, t.textSha256);
      }
    }
    done(null, parsed);
  });
}

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The index of the quote closing a string whose content starts at `from`, or -1. */
function closingQuote(buf: Buffer, from: number): number {
  for (;;) {
    const q = buf.indexOf(0x22, from);
    if (q < 0) return -1;
    let k = q - 1;
    while (k >= from && buf[k] === 0x5c) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    from = q + 1;
  }
}

function keyText(buf: Buffer, start: number, end: number): string {
  if (end - start > 64) return '';
  const raw = buf.toString('utf8', start, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return '';
  }
}

/**
 * Finds the string values at `attachments[i].base64` of a top-level object with at least
 * `threshold` bytes of text. A light scan of the structure: strings are skipped by searching for
 * their closing quote; anything that does not look like JSON ends the scan (null) and leaves the
 * verdict to the real parser, which sees the whole body then.
 */
export function findLargeBase64(buf: Buffer, threshold: number): LargeValue[] | null {
  const out: LargeValue[] = [];
  const n = buf.length;
  let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  while (isSpace(buf[i])) i++;
  if (buf[i] !== 0x7b) return out; // only objects have attachments

  // Containers from the root down: an object's current key, or an array's current index.
  const stack: Array<{ object: boolean; key: string | null; index: number }> = [];
  let expectKey = false;
  while (i < n) {
    const c = buf[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    switch (c) {
      case 0x7b: // {
      case 0x5b: // [
        stack.push({ object: c === 0x7b, key: null, index: 0 });
        expectKey = c === 0x7b;
        i++;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        if (!top || top.object !== (c === 0x7d)) return null;
        stack.pop();
        expectKey = false;
        i++;
        if (stack.length === 0) return out;
        break;
      case 0x2c: // ,
        if (!top) return null;
        if (top.object) {
          top.key = null;
          expectKey = true;
        } else {
          top.index++;
        }
        i++;
        break;
      case 0x3a: // :
        if (!top?.object || top.key === null) return null;
        i++;
        break;
      case 0x22: {
        const close = closingQuote(buf, i + 1);
        if (close < 0 || !top) return null;
        if (expectKey) {
          top.key = keyText(buf, i + 1, close);
          expectKey = false;
        } else if (
          close - (i + 1) >= threshold &&
          stack.length === 3 &&
          stack[0]!.key === 'attachments' &&
          !stack[1]!.object &&
          stack[2]!.object &&
          top.key === 'base64'
        ) {
          out.push({ index: stack[1]!.index, start: i + 1, end: close });
        }
        i = close + 1;
        break;
      }
      default:
        // numbers, true, false, null: the parser judges them
        if (!top || expectKey) return null;
        while (i < n && !isSpace(buf[i]) && buf[i] !== 0x2c && buf[i] !== 0x5d && buf[i] !== 0x7d) i++;
    }
  }
  return null;
}

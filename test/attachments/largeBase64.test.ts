import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import fc from 'fast-check';
import sharp from 'sharp';
import { describeEachDb } from '../helpers/suite.js';
import { blobCount, createTicket, type TestApp } from '../helpers/app.js';
import { registerJsonBodyParser, findLargeBase64 } from '../../src/http/jsonBody.js';
import { decodeJsonBase64, largeBase64Of, largeBase64Placeholder, largeBase64Bytes } from '../../src/attachments/largeBase64.js';
import { decodeBase64 } from '../../src/attachments/decodeBase64.js';
import { DomainError } from '../../src/errors.js';
import { StoreBody } from '../../src/http/schemas/conversation.js';

// Large `attachments[i].base64` values are decoded by the JSON body parser straight from the
// request bytes (src/http/jsonBody.ts). Everything a client sees must be as on the ordinary path.

const b64 = (b: Buffer) => b.toString('base64');
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
/** Line-wrapped like MIME: 76 characters and CRLF. */
const wrapped = (s: string) => s.replace(/.{1,76}/g, '$&\r\n');

async function noisyPng(): Promise<Buffer> {
  return sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
}

/** The outcome of the ordinary path (validateAttachmentInputs trims, then decodeBase64). */
function ordinary(value: string): string {
  const trimmed = value.trim();
  if (!trimmed) return 'blank';
  try {
    return `bytes:${sha(decodeBase64(trimmed, 'f', 1000))}`;
  } catch (err) {
    return `error:${(err as DomainError).statusCode}:${(err as DomainError).message}`;
  }
}

/** The outcome of the large path for the JSON text of the string (without its quotes). */
function large(jsonText: string): string | null {
  const buf = Buffer.from(`"${jsonText}"`, 'utf8');
  const v = decodeJsonBase64(buf, 1, buf.length - 1, 1000);
  if (v === null) return null;
  if (v === 'blank') return 'blank';
  try {
    return `bytes:${sha(largeBase64Bytes(v, 'f', 1000))}`;
  } catch (err) {
    return `error:${(err as DomainError).statusCode}:${(err as DomainError).message}`;
  }
}

describe('decodeJsonBase64 agrees with decodeBase64', () => {
  const piece = fc.oneof(
    { weight: 8, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')) },
    fc.constantFrom('=', '==', ' ', '\n', '\r\n', '\t', '-', '_', ':', ',', '"', '\\', '\b', '\f', 'é', '\u00a0', '\u2028', '\u0001', 'A', 'QQ', 'data:', ';base64,'),
  );
  const prefix = fc.constantFrom('', '', 'data:image/png;base64,', 'DATA:application/pdf;name=a.pdf;base64,', 'data:text/plain;charset=utf-8;base64,', 'data:image/png,', ' data:image/png;base64,', '\n');
  const value = fc.tuple(prefix, fc.array(piece, { maxLength: 12 })).map(([p, parts]) => p + parts.join(''));

  it('on random values (or leaves them to the ordinary path)', () => {
    fc.assert(
      fc.property(value, fc.boolean(), (s, escapeSlashes) => {
        let text = JSON.stringify(s).slice(1, -1);
        if (escapeSlashes) text = text.replace(/\//g, '\\/');
        const got = large(text);
        if (got !== null) assert.equal(got, ordinary(s), JSON.stringify(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the common forms itself', () => {
    const bytes = crypto.randomBytes(900);
    const s = b64(bytes);
    const want = `bytes:${sha(bytes)}`;
    assert.equal(large(s), want);
    assert.equal(large(`data:application/octet-stream;base64,${s}`), want);
    assert.equal(large(JSON.stringify(wrapped(s)).slice(1, -1)), want, 'CRLF-wrapped');
    assert.equal(large(s.replace(/\//g, '\\/')), want, '\\/ escapes');
    assert.equal(large('   \\n  '), 'blank');
    assert.equal(large('data:image/png;base64,  \\n'), ordinary('data:image/png;base64,  \n'));
    assert.equal(large('\\u0041'), null, 'a \\u escape goes the ordinary way');
    assert.equal(large(`${s.slice(0, 100)}é${s.slice(100)}`), null, 'non-ASCII goes the ordinary way');
  });

  it('a too-large file is judged without being decoded, with the same 413', () => {
    const s = b64(crypto.randomBytes(1200));
    assert.equal(large(s), ordinary(s));
    assert.match(String(large(s)), /^error:413:/);
  });
});

describe('findLargeBase64', () => {
  const big = 'A'.repeat(100);
  it('finds only top-level attachments[i].base64 strings above the threshold', () => {
    const body = JSON.stringify({
      rawData: { base64: big, attachments: [{ base64: big }] },
      base64: big,
      attachments: [{ name: 'a', base64: 'QQ==' }, { name: 'b\\"', url: null, base64: big }, { base64: big, name: 'c', n: [1, { base64: big }] }],
    });
    const found = findLargeBase64(Buffer.from(body), 50)!;
    assert.deepEqual(found.map((f) => f.index), [1, 2]);
    for (const f of found) assert.equal(body.slice(f.start, f.end), big);
  });

  it('escaped keys count, broken JSON stops the scan', () => {
    assert.equal(findLargeBase64(Buffer.from(`{"attachm\\u0065nts":[{"bas\\u0065\\u0036\\u0034":"${big}"}]}`), 50)!.length, 1);
    assert.equal(findLargeBase64(Buffer.from(`{"attachments":[{"base64":"${big}"]}`), 50), null);
    assert.deepEqual(findLargeBase64(Buffer.from(`[{"attachments":[{"base64":"${big}"}]}]`), 50), []);
  });
});

describe('the JSON body parser', () => {
  async function parserApp() {
    const app = Fastify({ bodyLimit: 1024 * 1024 });
    registerJsonBodyParser(app, { maxDecodedBytes: 512 * 1024, largeValueBytes: 1024 });
    app.post('/store', { schema: { body: StoreBody } }, async (request) => ({
      large: (request.body as StoreBody).attachments?.map((a) => largeBase64Of(a)?.kind ?? null),
      base64: (request.body as StoreBody).attachments?.map((a) => a.base64?.length),
    }));
    app.post('/other', { schema: { body: Type.Object({}, { additionalProperties: true }) } }, async (request) => request.body);
    await app.ready();
    return app;
  }
  const s = b64(crypto.randomBytes(6000));

  it('decodes large values on routes that take attachments only', async () => {
    const app = await parserApp();
    const payload = { attachments: [{ name: 'small', base64: 'QQ==' }, { name: 'big', base64: s }] };
    const res = await app.inject({ method: 'POST', url: '/store', payload });
    assert.deepEqual(res.json(), { large: [null, 'bytes'], base64: [4, largeBase64Placeholder('x'.repeat(24), 1).length] });
    const other = await app.inject({ method: 'POST', url: '/other', payload });
    assert.deepEqual(other.json(), payload, 'no placeholder where nothing resolves it');
    await app.close();
  });

  it('a chunked body without content-length', async () => {
    const app = await parserApp();
    const text = JSON.stringify({ attachments: [{ name: 'big', base64: s }] });
    const chunks = text.match(/[\s\S]{1,1000}/g)!;
    const res = await app.inject({ method: 'POST', url: '/store', headers: { 'content-type': 'application/json' }, payload: Readable.from(chunks.map((c) => Buffer.from(c))) });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().large, ['bytes']);
    await app.close();
  });

  it('limits, empty and malformed bodies fail as with the default parser', async () => {
    const app = await parserApp();
    const over = await app.inject({ method: 'POST', url: '/store', payload: { body: 'x'.repeat(1024 * 1024) } });
    assert.equal(over.statusCode, 413);
    assert.equal(over.json().code, 'FST_ERR_CTP_BODY_TOO_LARGE');
    const overChunked = await app.inject({ method: 'POST', url: '/store', headers: { 'content-type': 'application/json' }, payload: Readable.from([Buffer.alloc(700 * 1024, 0x20), Buffer.alloc(700 * 1024, 0x20)]) });
    assert.equal(overChunked.statusCode, 413);
    const empty = await app.inject({ method: 'POST', url: '/store', headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(empty.json().code, 'FST_ERR_CTP_EMPTY_JSON_BODY');
    const broken = await app.inject({ method: 'POST', url: '/store', headers: { 'content-type': 'application/json' }, payload: `{"attachments":[{"name":"a","base64":"${s}"}],` });
    assert.equal(broken.json().code, 'FST_ERR_CTP_INVALID_JSON_BODY');
    const proto = await app.inject({ method: 'POST', url: '/other', headers: { 'content-type': 'application/json' }, payload: `{"attachments":[{"base64":"${s}"}],"__proto__":{"x":1}}` });
    assert.equal(proto.statusCode, 400);
    await app.close();
  });
});

async function counts(t: TestApp) {
  const k = t.ctx.db.kysely;
  const n = async (table: 'conversations' | 'attachments' | 'tickets') => Number((await k.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { conversations: await n('conversations'), attachments: await n('attachments'), tickets: await n('tickets'), blobs: blobCount(t) };
}

describeEachDb('large base64 attachments', (app) => {
  let ticketId: number;
  const storeUrl = () => `/api/mind/ticket/${ticketId}/conversation/store`;
  const store = (t: TestApp, attachments: unknown[], headers: Record<string, string> = {}) =>
    t.call('POST', storeUrl(), { process: 'false', body: '<p>Anbei</p>', attachments }, headers);
  /** Sends JSON text as it is (escapes the serializer would not write). */
  const storeRaw = (t: TestApp, json: string) =>
    t.app.inject({ method: 'POST', url: storeUrl(), headers: { cookie: t.cookie, 'content-type': 'application/json' }, payload: json });

  async function assertStored(t: TestApp, a: { id: string; url: string; size: number }, bytes: Buffer) {
    assert.equal(a.size, bytes.length);
    const row = await t.ctx.db.kysely.selectFrom('attachments').select(['blob_key', 'size', 'had_base64']).where('id', '=', Number(a.id)).executeTakeFirstOrThrow();
    assert.equal(row.blob_key, sha(bytes));
    assert.equal(Number(row.had_base64), 1);
    const dl = await t.call('GET', a.url);
    assert.equal(dl.statusCode, 200);
    assert.ok(dl.rawPayload.equals(bytes), 'the served bytes are the sent bytes');
  }

  // The ticket every test stores on; a hook, so no test depends on another having run first.
  before(async () => {
    ticketId = await createTicket(app());
  });

  it('a large PNG and large random bytes store with the right size, hash and content', async () => {
    const t = app();
    const png = await noisyPng();
    const bin = crypto.randomBytes(300 * 1024 + 1);
    assert.ok(b64(png).length > 64 * 1024, 'above the threshold');
    const res = await store(t, [{ name: 'noise.png', base64: b64(png) }, { name: 'small.txt', base64: b64(Buffer.from('hallo')) }, { name: 'random.bin', base64: b64(bin) }]);
    assert.equal(res.statusCode, 200, res.body);
    const [p, small, r] = res.json().conversation.attachments;
    assert.equal(p.contentType, 'image/png');
    assert.equal(p.width, 256);
    assert.equal(p.height, 256);
    await assertStored(t, p, png);
    await assertStored(t, small, Buffer.from('hallo'));
    await assertStored(t, r, bin);
  });

  it('ticket create takes a large attachment too', async () => {
    const t = app();
    const bin = crypto.randomBytes(100 * 1024);
    const res = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'email', from: 'kunde@example.de', subject: 'Zähler', body: '<p>Foto</p>', attachments: [{ name: 'a.bin', base64: b64(bin) }] });
    assert.equal(res.statusCode, 200, res.body);
    const conv = (await t.call('GET', `/api/mind/ticket/${res.json().id}/conversation`)).json().conversations[0];
    await assertStored(t, conv.attachments[0], bin);
  });

  for (const [name, value] of [
    ['a character outside the alphabet', (s: string) => `${s.slice(0, 5000)}-${s.slice(5001)}`],
    ['a length that is not a multiple of 4', (s: string) => s.slice(0, -1)],
    ['padding in the middle', (s: string) => `${s.slice(0, 4000)}==${s.slice(4002)}`],
    ['url-safe base64', (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_')],
  ] as const) {
    it(`invalid base64 in a large value (${name}) → 422 naming attachments[0].base64, nothing stored`, async () => {
      const t = app();
      const before = await counts(t);
      const res = await store(t, [{ name: 'broken.bin', base64: value(b64(crypto.randomBytes(200 * 1024))) }]);
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json().error.code, 'invalid_base64');
      assert.equal(res.json().error.field, 'attachments[0].base64');
      assert.deepEqual(await counts(t), before);
    });
  }

  it('an invalid second attachment names attachments[1].base64', async () => {
    const res = await store(app(), [{ name: 'ok.txt', base64: 'aGFsbG8=' }, { name: 'broken.bin', base64: `${b64(crypto.randomBytes(90 * 1024))}!` }]);
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.field, 'attachments[1].base64');
  });

  it('the placeholder text sent by a client is just invalid base64', async () => {
    const t = app();
    const before = await counts(t);
    const res = await store(t, [{ name: 'a.bin', base64: largeBase64Placeholder('0'.repeat(24), 0) }, { name: 'b.bin', base64: b64(crypto.randomBytes(100 * 1024)) }]);
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.field, 'attachments[0].base64');
    assert.deepEqual(await counts(t), before);
  });

  it('a data-URL prefix, CRLF line wrapping and \\/ escapes in a large value', async () => {
    const t = app();
    const png = await noisyPng();
    const bin = crypto.randomBytes(120 * 1024);
    const json = JSON.stringify({
      process: 'false',
      body: 'x',
      attachments: [
        { name: 'a.png', base64: `data:image/png;base64,${b64(png)}` },
        { name: 'b.bin', base64: wrapped(b64(bin)) },
        { name: 'c.png', base64: `  data:image/png;base64,\n${wrapped(b64(png))}\n` },
      ],
    }).replace(/\//g, '\\/');
    const res = await storeRaw(t, json);
    assert.equal(res.statusCode, 200, res.body);
    const [a, b, c] = res.json().conversation.attachments;
    await assertStored(t, a, png);
    await assertStored(t, b, bin);
    await assertStored(t, c, png);
    assert.equal(c.width, 256);
  });

  it('a \\u escape inside a large value takes the ordinary path and still stores', async () => {
    const t = app();
    const bin = crypto.randomBytes(100 * 1024);
    const s = b64(bin);
    const json = `{"process":"false","body":"x","attachments":[{"name":"u.bin","base64":"\\u00${s.charCodeAt(0).toString(16)}${s.slice(1)}"}]}`;
    const res = await storeRaw(t, json);
    assert.equal(res.statusCode, 200, res.body);
    await assertStored(t, res.json().conversation.attachments[0], bin);
  });

  it('a large base64 key outside attachments is client data, kept as sent', async () => {
    const t = app();
    const big = b64(crypto.randomBytes(80 * 1024));
    const res = await t.call('POST', storeUrl(), { process: 'false', body: 'x', rawData: { base64: big, attachments: [{ base64: big }] } });
    assert.equal(res.statusCode, 200, res.body);
    const got = await t.call('GET', `/api/mind/ticket/${ticketId}/conversation/${res.json().conversationId}?includeRawData=true`);
    assert.deepEqual(got.json().conversation.rawData, { base64: big, attachments: [{ base64: big }] });
  });

  it('malformed JSON with a large value → 400', async () => {
    const res = await storeRaw(app(), `{"body":"x","attachments":[{"name":"a","base64":"${b64(crypto.randomBytes(100 * 1024))}"}]`);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'malformed_json');
  });

  it('Idempotency-Key: a repeat with the same large attachment is replayed; another attachment under the key is refused', async () => {
    const t = app();
    const bin = crypto.randomBytes(200 * 1024);
    const key = { 'idempotency-key': `large-${crypto.randomUUID()}` };
    const first = await store(t, [{ name: 'a.bin', base64: b64(bin) }], key);
    assert.equal(first.statusCode, 200, first.body);
    const before = await counts(t);
    const again = await store(t, [{ name: 'a.bin', base64: b64(bin) }], key);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.headers['idempotency-replayed'], 'true');
    assert.equal(again.json().conversationId, first.json().conversationId);
    const other = await store(t, [{ name: 'a.bin', base64: b64(crypto.randomBytes(200 * 1024)) }], key);
    assert.equal(other.statusCode, 422, other.body);
    assert.equal(other.json().error.code, 'idempotency_key_reused');
    const sameSize = Buffer.from(bin);
    sameSize.writeUInt8(sameSize.readUInt8(sameSize.length - 1) ^ 1, sameSize.length - 1);
    const oneBit = await store(t, [{ name: 'a.bin', base64: b64(sameSize) }], key);
    assert.equal(oneBit.json().error.code, 'idempotency_key_reused', 'one bit differs');
    assert.deepEqual(await counts(t), before, 'nothing more stored');
  });
});

import http from 'node:http';
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { blobCount, createTicket, waitFor, type TestApp } from '../helpers/app.js';
import { pdf } from './files.js';

// A file host on 127.0.0.1 (allow-listed by address, so no DNS lookup spaces the connects apart)
// that holds every /slow/* response open until the test releases it,
// and records what it observes: how many requests are open at once, and which ones the client
// gave up on (closed before the answer was sent).
const held: { url: string; res: http.ServerResponse }[] = [];
const aborted: string[] = [];
let open = 0;
let maxOpen = 0;
let server: http.Server;
let port = 0;
before(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/fast.pdf') return void res.writeHead(200).end(pdf());
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => {
      open--;
      if (!res.writableFinished) aborted.push(url);
    });
    held.push({ url, res });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
after(() => {
  for (const h of held.splice(0)) h.res.destroy();
  server.close();
});

const LIMIT = 3;

function release(): void {
  const h = held.shift()!;
  h.res.writeHead(200).end(Buffer.concat([pdf(), Buffer.from(`%${h.url}\n`)]));
}

async function counts(t: TestApp) {
  const k = t.ctx.db.kysely;
  const conversations = (await k.selectFrom('conversations').select('id').execute()).length;
  const attachments = (await k.selectFrom('attachments').select('id').execute()).length;
  return { conversations, attachments, blobs: blobCount(t) };
}

describeEachDb('attachment URLs: parallel fetches under a concurrency limit', (app) => {
  it('8 held URLs: fetched in parallel, never more than ATTACHMENT_FETCH_CONCURRENCY at once, stored in order', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    maxOpen = 0;
    const urls = Array.from({ length: 8 }, (_, i) => `http://127.0.0.1:${port}/slow/${i}`);
    const pending = t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, {
      process: 'false', body: '<p>files</p>', attachments: urls.map((url, i) => ({ name: `f${i}.pdf`, url })),
    });
    // Release one held response whenever the pool is full (or the rest are all in). A correct
    // limit can never show more than LIMIT open; with no limit, the connects that arrive while
    // the first ones are still held push maxOpen past it (checked: it did, at 4).
    for (let answered = 0; answered < urls.length; answered++) {
      await waitFor(async () => held.length >= Math.min(LIMIT, urls.length - answered), 10_000, 'held fetches');
      release();
    }
    const res = await pending;
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(maxOpen >= 2, `the fetches overlap (at most ${maxOpen} open at once)`);
    assert.ok(maxOpen <= LIMIT, `never more than ${LIMIT} at once (saw ${maxOpen})`);
    const stored = res.json().conversation.attachments as { name: string; originalUrl: string }[];
    assert.deepEqual(stored.map((a) => a.originalUrl), urls);
    assert.deepEqual(stored.map((a) => a.name), urls.map((_, i) => `f${i}.pdf`));
  });
}, { OUTBOUND_ALLOW_HOSTS: '127.0.0.1', ATTACHMENT_FETCH_CONCURRENCY: String(LIMIT) });

describeEachDb('attachment URLs: one deadline for all fetches of a request', (app) => {
  it('a URL still open at the deadline is aborted; 422 names it and nothing is stored', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const before = await counts(t);
    aborted.length = 0;
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, {
      process: 'false', body: '<p>files</p>', attachments: [
        { name: 'a.pdf', url: `http://127.0.0.1:${port}/fast.pdf` },
        { name: 'b.txt', base64: Buffer.from('plain text').toString('base64') },
        { name: 'c.pdf', url: `http://127.0.0.1:${port}/slow/never` },
      ],
    });
    assert.equal(res.statusCode, 422, res.body);
    const { error } = res.json();
    assert.equal(error.field, 'attachments[2].url');
    assert.equal(error.code, 'attachment_fetch_deadline');
    await waitFor(async () => aborted.includes('/slow/never'), 10_000, 'the server to see the held fetch aborted');
    assert.deepEqual(await counts(t), before, 'no conversation, attachment row or blob was written');
  });
}, { OUTBOUND_ALLOW_HOSTS: '127.0.0.1', ATTACHMENT_FETCH_DEADLINE_MS: '400', ATTACHMENT_FETCH_TIMEOUT_MS: '30000' });

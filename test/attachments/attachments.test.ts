import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, type TestApp } from '../helpers/app.js';
import { exe, pdf, png, rotatedJpeg, zip } from './files.js';

// A stand-in file host on localhost. "localhost" is allow-listed by name; 127.0.0.1 is not,
// so a redirect from the allowed name into the loopback address must be refused.
let server: http.Server;
let port = 0;
before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/invoice.pdf') return void res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf());
    if (req.url === '/big.bin') return void res.writeHead(200).end(Buffer.alloc(200 * 1024, 7));
    if (req.url === '/hop') return void res.writeHead(302, { location: '/hop2' }).end();
    if (req.url === '/hop2') return void res.writeHead(302, { location: `http://127.0.0.1:${port}/invoice.pdf` }).end();
    if (req.url === '/gone') return void res.writeHead(404).end();
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
after(() => server.close());

const b64 = (b: Buffer) => b.toString('base64');

async function store(t: TestApp, ticketId: number, body: object) {
  return t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'false', body: '<p>see attached</p>', ...body });
}

function blobCount(t: TestApp): number {
  const dir = path.join(t.dataDir, 'blobs');
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else n++;
    }
  };
  walk(dir);
  return n;
}

describeEachDb('attachments', (app) => {
  let ticketId: number;
  // The ticket every test stores on; a hook, so no test depends on another having run first.
  before(async () => {
    ticketId = await createTicket(app());
  });

  it('PNG and JPEG by base64: type from the bytes, width/height (EXIF orientation respected)', async () => {
    const t = app();
    const res = await store(t, ticketId, { attachments: [
      { name: 'photo.dat', base64: b64(await png(64, 48)) },
      { name: 'meter.jpg', base64: `data:image/jpeg;base64,${b64(await rotatedJpeg())}` },
    ] });
    assert.equal(res.statusCode, 200, res.body);
    const [p, j] = res.json().conversation.attachments;
    assert.equal(p.contentType, 'image/png');
    assert.equal(p.fileEnding, 'png');
    assert.equal(p.width, 64);
    assert.equal(p.height, 48);
    assert.equal(p.risk, 'safe');
    assert.equal(p.originalUrl, null);
    assert.equal(p.extractionStatus, 'skipped', 'process=false: no AI will read it');
    assert.equal(j.contentType, 'image/jpeg');
    assert.equal(j.width, 20);
    assert.equal(j.height, 40);
    assert.match(j.url, new RegExp(`^/api/mind/ticket/${ticketId}/attachment/\\d+$`));
  });

  it('a PDF by URL from an allow-listed host; served back with the right headers, behind auth', async () => {
    const t = app();
    const url = `http://localhost:${port}/invoice.pdf`;
    const res = await store(t, ticketId, { attachments: [{ name: 'Rechnung März.pdf', url }] });
    assert.equal(res.statusCode, 200, res.body);
    const a = res.json().conversation.attachments[0];
    assert.equal(a.contentType, 'application/pdf');
    assert.equal(a.originalUrl, url);
    assert.equal(a.size, pdf().length);
    assert.equal(a.width, undefined);
    const dl = await t.call('GET', a.url);
    assert.equal(dl.statusCode, 200);
    assert.equal(dl.headers['content-type'], 'application/pdf');
    assert.match(String(dl.headers['content-disposition']), /^inline; filename="Rechnung M_rz.pdf"; filename\*=UTF-8''Rechnung%20M%C3%A4rz\.pdf$/);
    assert.equal(dl.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(dl.rawPayload, pdf());
    const anon = await t.app.inject({ url: a.url });
    assert.equal(anon.statusCode, 401);
  });

  it('both url and base64: base64 wins, url kept as originalUrl', async () => {
    const t = app();
    const res = await store(t, ticketId, { attachments: [{ name: 'x.png', url: 'https://example.invalid/x.png', base64: b64(await png(2, 2)) }] });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().conversation.attachments[0].originalUrl, 'https://example.invalid/x.png');
  });

  for (const [name, url, code] of [
    ['a redirect chain into 127.0.0.1', () => `http://localhost:${port}/hop`, 422],
    ['a private-range URL', () => 'http://10.20.30.40/x.pdf', 422],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data', 422],
    ['a URL answering 404', () => `http://localhost:${port}/gone`, 422],
  ] as const) {
    it(`${name} is refused with ${code} and nothing is stored`, async () => {
      const t = app();
      const before = await t.ctx.db.kysely.selectFrom('conversations').select('id').execute();
      const res = await store(t, ticketId, { attachments: [{ name: 'x.pdf', url: url() }] });
      assert.equal(res.statusCode, code, res.body);
      assert.equal(res.json().error.field, 'attachments[0].url');
      assert.equal((await t.ctx.db.kysely.selectFrom('conversations').select('id').execute()).length, before.length);
    });
  }

  it('a too-large file is refused with 413, by URL and by base64, and nothing is stored', async () => {
    const t = app();
    const before = (await t.ctx.db.kysely.selectFrom('attachments').select('id').execute()).length;
    const byUrl = await store(t, ticketId, { attachments: [{ name: 'big.bin', url: `http://localhost:${port}/big.bin` }] });
    assert.equal(byUrl.statusCode, 413, byUrl.body);
    assert.equal(byUrl.json().error.field, 'attachments[0].url');
    const byB64 = await store(t, ticketId, { attachments: [{ name: 'big.bin', base64: b64(Buffer.alloc(150 * 1024, 1)) }] });
    assert.equal(byB64.statusCode, 413);
    assert.equal(byB64.json().error.field, 'attachments[0].base64');
    assert.equal((await t.ctx.db.kysely.selectFrom('attachments').select('id').execute()).length, before);
  });

  it('invalid base64 is a 422 naming the attachment', async () => {
    const res = await store(app(), ticketId, { attachments: [{ name: 'a.png', url: null }, { name: 'b.png', base64: 'base-64-encoded-string-of-attachment-file' }] });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.field, 'attachments[0]');
    const res2 = await store(app(), ticketId, { attachments: [{ name: 'b.png', base64: 'base-64-encoded-string-of-attachment-file' }] });
    assert.equal(res2.json().error.field, 'attachments[0].base64');
  });

  it('the same bytes twice are stored once', async () => {
    const t = app();
    const bytes = b64(await png(33, 33));
    await store(t, ticketId, { attachments: [{ name: 'a.png', base64: bytes }] });
    const n = blobCount(t);
    const res = await store(t, ticketId, { attachments: [{ name: 'b.png', base64: bytes }, { name: 'c.png', base64: bytes }] });
    assert.equal(res.statusCode, 200);
    assert.equal(blobCount(t), n);
  });

  it('cid: references make images inline and are rewritten to the served URL', async () => {
    const t = app();
    const res = await store(t, ticketId, {
      body: '<p>Foto:</p><img src="cid:zaehler.png@01DA1234"><img src="cid:other.png">',
      attachments: [{ name: 'zaehler.png', base64: b64(await png(10, 10)) }, { name: 'doc.png', base64: b64(await png(11, 10)) }],
    });
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json().conversation;
    assert.equal(c.attachments[0].inline, true);
    assert.equal(c.attachments[1].inline, false);
    assert.ok(c.body.includes(`src="${c.attachments[0].url}"`), c.body);
    assert.ok(c.body.includes('cid:other.png'), 'unmatched references stay');
    const again = (await t.call('GET', `/api/mind/ticket/${ticketId}/conversation/${c.id}`)).json().conversation;
    assert.equal(again.body, c.body);
  });

  it('an .exe renamed invoice.pdf is replaced by a notice; a ZIP is flagged risky', async () => {
    const t = app();
    const res = await store(t, ticketId, { attachments: [{ name: 'invoice.pdf', base64: b64(exe()) }, { name: 'docs.zip', base64: b64(zip()) }] });
    assert.equal(res.statusCode, 200, res.body);
    const [x, z] = res.json().conversation.attachments;
    assert.equal(x.risk, 'dangerous');
    assert.equal(x.name, 'invoice.pdf.removed.txt');
    assert.equal(x.contentType, 'text/plain');
    const notice = await t.call('GET', x.url);
    assert.match(notice.body, /removed the attachment "invoice\.pdf".*Windows executable/);
    assert.ok(!notice.rawPayload.includes(Buffer.from('MZ')), 'the executable bytes are not stored');
    assert.equal(z.risk, 'risky');
    assert.equal(z.contentType, 'application/zip');
    const dl = await t.call('GET', z.url);
    assert.match(String(dl.headers['content-disposition']), /^attachment;/);
    assert.equal(dl.headers['content-type'], 'application/octet-stream');
  });

  it('HTML and SVG are never served inline', async () => {
    const t = app();
    const res = await store(t, ticketId, { attachments: [{ name: 'x.svg', base64: b64(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')) }, { name: 'y.html', base64: b64(Buffer.from('<!doctype html><script>alert(1)</script>')) }] });
    for (const a of res.json().conversation.attachments) {
      const dl = await t.call('GET', a.url);
      assert.match(String(dl.headers['content-disposition']), /^attachment;/);
      assert.equal(dl.headers['content-type'], 'application/octet-stream');
      assert.equal(a.risk, 'risky');
    }
  });

  it('a repeated externalConversationId with attachments returns the first and writes no new file', async () => {
    const t = app();
    const body = { externalConversationId: 'att-dup-1', attachments: [{ name: 'a.png', base64: b64(await png(8, 8)) }] };
    const first = await store(t, ticketId, body);
    assert.equal(first.statusCode, 200, first.body);
    const files = blobCount(t);
    const again = await store(t, ticketId, { ...body, attachments: [{ name: 'b.png', base64: b64(await png(9, 9)) }] });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().conversationId, first.json().conversationId);
    assert.deepEqual(again.json().conversation.attachments, first.json().conversation.attachments);
    assert.equal(blobCount(t), files);
  });

  it('an outgoing reply may not attach a dangerous file', async () => {
    const res = await store(app(), ticketId, { direction: 'out', attachments: [{ name: 'tool.exe', base64: b64(exe()) }] });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.field, 'attachments[0]');
  });
}, { OUTBOUND_ALLOW_HOSTS: 'localhost', ATTACHMENT_MAX_BYTES: String(100 * 1024) });

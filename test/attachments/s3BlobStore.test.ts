import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import S3rver from 's3rver';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createTicket, databases, startApp, type TestApp } from '../helpers/app.js';
import { S3BlobStore } from '../../src/attachments/s3BlobStore.js';
import { sweepOrphanBlobs } from '../../src/attachments/sweep.js';
import { pdf } from './files.js';

// A real S3-compatible server on 127.0.0.1 (s3rver, files under a temp dir), one bucket; every
// app gets its own key prefix so the two database runs cannot see each other's blobs.
const BUCKET = 'ticketmind-test';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-s3-'));
let server: S3rver;
let endpoint = '';
before(async () => {
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
after(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const storeOptions = (prefix: string) => ({ bucket: BUCKET, prefix, region: 'us-east-1', endpoint, forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });

async function keysUnder(prefix: string): Promise<string[]> {
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!);
}

it('S3 store: same bytes once, a 12 MB blob as a multipart upload, read back whole and streamed', async () => {
  const store = new S3BlobStore(storeOptions('unit/'));
  const small = Buffer.from('Zählerstand 12345');
  const first = await store.put(small);
  assert.equal(first.created, true);
  assert.equal((await store.put(small)).created, false);
  assert.deepEqual(await store.read(first.key), small);
  const big = crypto.randomBytes(12 * 1024 * 1024);
  const { key } = await store.put(big);
  const chunks: Buffer[] = [];
  for await (const c of await store.stream(key)) chunks.push(c as Buffer);
  assert.ok(Buffer.concat(chunks).equals(big));
  assert.deepEqual((await keysUnder('unit/')).sort(), [first.key, key].map((k) => `unit/${k.slice(0, 2)}/${k.slice(2, 4)}/${k}`).sort());
  // Sweep: unreferenced and past the grace → gone; referenced → kept.
  assert.equal(await store.sweep(async (k) => k === key, -1), 1);
  assert.deepEqual(await keysUnder('unit/'), [`unit/${key.slice(0, 2)}/${key.slice(2, 4)}/${key}`]);
  assert.equal(await store.sweep(async () => false, 60_000), 0, 'within the grace nothing goes');
});

for (const kind of databases()) {
  // Not describeEachDb: the apps need the S3 endpoint, known only once the server runs.
  describe(`attachments on S3 (BLOB_STORE=s3) [${kind}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startApp(kind, {
        BLOB_STORE: 's3', S3_BUCKET: BUCKET, S3_PREFIX: `app-${kind}/`, S3_ENDPOINT: endpoint, S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER',
      });
    });
    after(async () => t?.close());

    it('an attachment stored through the API lands in the bucket and downloads through the same route', async () => {
      const ticketId = await createTicket(t);
      const bytes = pdf();
      const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'false', body: '<p>Rechnung anbei</p>', attachments: [{ name: 'rechnung.pdf', base64: bytes.toString('base64') }] });
      assert.equal(res.statusCode, 200, res.body);
      const a = res.json().conversation.attachments[0];
      const download = await t.call('GET', `/api/mind/ticket/${ticketId}/attachment/${a.id}`);
      assert.equal(download.statusCode, 200);
      assert.ok(download.rawPayload.equals(bytes));
      const keys = await keysUnder(`app-${kind}/`);
      assert.equal(keys.length, 1);
      assert.ok(keys[0]!.endsWith(crypto.createHash('sha256').update(bytes).digest('hex')));
      assert.equal(fs.existsSync(path.join(t.dataDir, 'blobs')), false, 'nothing on local disk');
      // The orphan sweep walks the bucket; a referenced blob stays.
      assert.equal(await sweepOrphanBlobs(t.ctx), 0);
      assert.equal((await keysUnder(`app-${kind}/`)).length, 1);
    });
  });
}

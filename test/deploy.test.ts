import fs from 'node:fs';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { configKeys } from '../src/config.js';

// No Docker engine runs the deployment files here; this keeps what can be checked true: every
// variable they give ticketmind is one it reads, and the image runs what the build produces.
const read = (f: string) => fs.readFileSync(new URL(`../${f}`, import.meta.url), 'utf8');
// Variables of the services that are not ticketmind (PostgreSQL, MinIO) are theirs.
const THEIRS = new Set(['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB', 'MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD']);

it('compose.yaml sets only variables ticketmind reads (or its neighbours do)', () => {
  const names = [...read('compose.yaml').matchAll(/^ {4,6}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
  assert.ok(names.includes('DATABASE_URL') && names.includes('BLOB_STORE'), 'the environment block was found');
  const unknown = names.filter((n) => !THEIRS.has(n) && !configKeys.includes(n));
  assert.deepEqual(unknown, []);
});

it('the Dockerfile runs the built entry points and sets known variables', () => {
  const docker = read('Dockerfile');
  const env = [...docker.matchAll(/^ +([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!).filter((n) => n !== 'NODE_ENV');
  assert.deepEqual(env.filter((n) => !configKeys.includes(n)), []);
  assert.match(docker, /CMD \["node", "dist\/main\.js"\]/);
  assert.match(docker, /^USER node$/m);
  assert.match(read('compose.yaml'), /command: \["node", "dist\/worker\.js"\]/);
  const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
  assert.equal(scripts.start, 'node dist/main.js', 'the image runs what npm start runs');
  assert.equal(scripts.worker, 'node dist/worker.js');
});

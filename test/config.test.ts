import fs from 'node:fs';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { configKeys, loadConfig } from '../src/config.js';

it('.env.example lists exactly the variables the service reads', () => {
  const listed = fs.readFileSync(new URL('../.env.example', import.meta.url), 'utf8')
    .split('\n').filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l)).map((l) => l.split('=')[0]);
  assert.deepEqual([...listed].sort(), [...configKeys].sort());
});

it('config is validated at start', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => loadConfig({ SESSION_SECRET: 'short' }), /SESSION_SECRET/);
  assert.equal(loadConfig({}).dbKind, 'sqlite');
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).dbKind, 'postgres');
});

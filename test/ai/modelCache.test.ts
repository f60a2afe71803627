import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp } from '../helpers/app.js';
import { IntentModelCache } from '../../src/ai/intents/modelCache.js';

// The cache must change nothing but the cost of a start: a second app on an unchanged catalogue
// serves the model the first one trained, and a changed catalogue is trained, not served stale.
describe('intent model cache', () => {
  it('a start with an unchanged catalogue loads the trained model; a changed catalogue trains', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-model-cache-'));
    const env = { INTENT_MODEL_CACHE_DIR: cacheDir };
    const texts = ['Mein Zählerstand ist 12.345 kWh', 'Ich ziehe am 1.5. um', 'please change my IBAN', 'Vielen Dank!'];
    try {
      const first = await startApp('sqlite', env);
      let trained: unknown[];
      try {
        await first.ctx.intents.settled();
        assert.equal(first.ctx.intents.info().source, 'trained');
        assert.equal(fs.readdirSync(cacheDir).filter((n) => n.endsWith('.json')).length, 1);
        trained = await Promise.all(texts.map((t) => first.ctx.intents.rank(t)));
      } finally {
        await first.close();
      }

      const second = await startApp('sqlite', env);
      try {
        await second.ctx.intents.settled();
        const info = (await second.call('GET', '/api/mind/intent/model')).json();
        assert.equal(info.source, 'cache');
        assert.equal(info.status, 'ready');
        assert.deepEqual(await Promise.all(texts.map((t) => second.ctx.intents.rank(t))), trained);

        const res = await second.call('POST', '/api/mind/aiAgent', { code: 'ai_agent_wallbox', name: { de: 'Wallbox', en: 'Wallbox' }, examples: { de: ['Ich möchte eine Wallbox installieren lassen', 'Angebot für eine Ladestation'] } });
        assert.equal(res.statusCode, 200, res.body);
        await second.ctx.intents.settled();
        assert.equal(second.ctx.intents.info().source, 'trained');
        assert.equal(fs.readdirSync(cacheDir).filter((n) => n.endsWith('.json')).length, 2);
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('an unreadable cached model is trained again, not served', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-model-cache-'));
    const env = { INTENT_MODEL_CACHE_DIR: cacheDir };
    try {
      const first = await startApp('sqlite', env);
      await first.ctx.intents.settled();
      await first.close();
      for (const n of fs.readdirSync(cacheDir)) fs.writeFileSync(path.join(cacheDir, n), '{"format":"something else"}');
      const second = await startApp('sqlite', env);
      try {
        await second.ctx.intents.settled();
        assert.equal(second.ctx.intents.info().source, 'trained');
        assert.equal((await second.ctx.intents.rank('Mein Zählerstand ist 4567'))[0]?.code, 'ai_agent_meter_reading');
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

it('the cache keeps the 32 most recently used models: a model read counts as used, the least recently used goes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-model-lru-'));
  try {
    const cache = new IntentModelCache(dir);
    const file = (k: string) => path.join(dir, `${k}.json`);
    for (let i = 0; i < 32; i++) {
      await cache.write(`m${i}`, { i });
      // Distinct times an hour apart, oldest first: no two files share a clock tick.
      const t = new Date(Date.UTC(2026, 0, 1, i));
      fs.utimesSync(file(`m${i}`), t, t);
    }
    assert.deepEqual(await cache.read('m0'), { i: 0 }); // m0 is now the most recently used
    await cache.write('m32', { i: 32 });
    const kept = new Set(fs.readdirSync(dir).map((n) => n.replace(/\.json$/, '')));
    assert.equal(kept.size, 32);
    assert.ok(kept.has('m0'), 'a model just read stays');
    assert.ok(!kept.has('m1'), 'the least recently used goes');
    assert.equal(await cache.read('m1'), null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

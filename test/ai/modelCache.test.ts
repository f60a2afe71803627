import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp } from '../helpers/app.js';

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

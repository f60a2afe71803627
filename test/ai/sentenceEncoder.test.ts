// The optional English sentence encoder (issue 17 item 3): the one test that loads it. Every
// other test app runs with INTENT_SENTENCE_ENCODER=off (test/helpers/app.ts): the model is
// +195 MB and ~1 s to load per process.
//
// Covered: the encoder itself; a fused model (vectors in training) and how it degrades when a
// text has no vector (German, or the encoder missing at serving time); an app with the encoder
// on and one with it off; and a process where the optional packages cannot be imported.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { detectIntents, loadIntentModel, trainIntentModel, type IntentModel, type TrainingExample } from '../../src/ai/intents/classifier.js';
import { catalogueExamples, type CatalogueEntry } from '../../src/ai/intents/catalogue.js';
import { looksEnglish } from '../../src/ai/intents/features.js';
import { loadSentenceEncoder, SENTENCE_DIMENSIONS, sentenceEncoderInstalled, type SentenceEncoder } from '../../src/ai/intents/sentenceEncoder.js';
import { startApp, type TestApp } from '../helpers/app.js';

const installed = sentenceEncoderInstalled();
const skip = installed ? false : 'optional @energetic-ai packages not installed (npm ci --omit=optional)';
const catalogue = JSON.parse(readFileSync(new URL('../../data/ai-agents.json', import.meta.url), 'utf8')) as CatalogueEntry[];

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

describe('sentence encoder', { skip }, () => {
  let encoder: SentenceEncoder;
  before(async () => {
    const e = await loadSentenceEncoder();
    assert.ok(e, 'installed, so it loads');
    encoder = e;
  });

  it('gives one unit-length 512-d vector per text, similar requests closer than unrelated ones', async () => {
    const [card, card2, weather, empty] = await encoder.embed(['My new card has not arrived yet', 'The card I ordered still did not come', 'The weather is lovely today', '']);
    for (const v of [card!, card2!, weather!, empty!]) {
      assert.equal(v.length, SENTENCE_DIMENSIONS);
      assert.ok(Math.abs(Math.sqrt(dot(v, v)) - 1) < 1e-3);
    }
    assert.ok(dot(card!, card2!) > dot(card!, weather!) + 0.1, `${dot(card!, card2!)} vs ${dot(card!, weather!)}`);
  });

  describe('fused with the TF-IDF model', () => {
    let examples: TrainingExample[];
    let fused: IntentModel;
    let plain: IntentModel;
    let vectors: Map<string, Float32Array>;
    const english = ['I cannot get into the online portal, I lost my password.', 'We are relocating to Bremen next month, how do I take the contract along?'];
    before(async () => {
      const base = catalogueExamples(catalogue);
      const texts = [...new Set([...base.map((e) => e.text), ...english].filter((t) => looksEnglish(t)))];
      const got = await encoder.embed(texts);
      vectors = new Map(texts.map((t, i) => [t, got[i]!]));
      examples = base.map((e) => ({ ...e, embedding: vectors.get(e.text) ?? null }));
      fused = trainIntentModel(examples);
      plain = trainIntentModel(base);
    });

    it('reads vectors (late fusion) and finds the intents of English texts with them', () => {
      assert.equal(fused.sentence?.mode, 'late');
      assert.equal(plain.sentence, null);
      assert.deepEqual(detectIntents(fused, english[0]!, {}, vectors).map((p) => p.code), ['ai_agent_password_reset']);
      assert.equal(fused.predict(english[1]!, vectors.get(english[1]!))[0]?.code, 'ai_agent_move');
    });

    it('scores a text without a vector (German, or the encoder missing) exactly as the TF-IDF model', () => {
      for (const text of ['Ich komme nicht ins Onlineportal, das Kennwort ist weg.', english[0]!]) {
        assert.deepEqual(Array.from(fused.scores(text, null)), Array.from(plain.scores(text)), text);
      }
      // …on today's sigmoid too: German confidences are the ones without the encoder.
      const de = 'Hiermit kündige ich fristgerecht meinen Stromliefervertrag.';
      assert.deepEqual(fused.predict(de), plain.predict(de));
    });

    it('keeps a calibrated threshold over the fused confidences', () => {
      assert.equal(fused.calibration.source, 'held-out');
      assert.ok(fused.detectDefaults.threshold >= 0.5 && fused.detectDefaults.threshold < 1);
    });

    it('survives serialisation: same fused scores after toJSON/loadIntentModel', () => {
      const loaded = loadIntentModel(JSON.parse(JSON.stringify(fused.toJSON())));
      assert.deepEqual(loaded.sentence, fused.sentence);
      const v = vectors.get(english[0]!)!;
      assert.deepEqual(Array.from(loaded.scores(english[0]!, v)), Array.from(fused.scores(english[0]!, v)));
      assert.deepEqual(loaded.predict(english[0]!, v), fused.predict(english[0]!, v));
    });

    it('concatenation mode trains one SVM over both feature blocks', () => {
      const concat = trainIntentModel(examples, { sentence: { mode: 'concat' }, calibrationFolds: 0 });
      assert.equal(concat.sentence?.mode, 'concat');
      assert.equal(concat.predict(english[0]!, vectors.get(english[0]!))[0]?.code, 'ai_agent_password_reset');
    });
  });
});

describe('API with the encoder on and off', { skip }, () => {
  let on: TestApp;
  let off: TestApp;
  before(async () => {
    on = await startApp('sqlite', { INTENT_SENTENCE_ENCODER: 'auto' });
    off = await startApp('sqlite', { INTENT_SENTENCE_ENCODER: 'off' });
  });
  after(async () => {
    await on?.close();
    await off?.close();
  });

  async function ready(t: TestApp): Promise<Record<string, unknown>> {
    await t.ctx.intents.settled();
    const res = await t.call('GET', '/api/mind/intent/model');
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Record<string, unknown>;
  }

  it('on: the model reads sentence vectors, detect embeds off the event loop and answers', async () => {
    assert.equal((await ready(on)).sentenceEncoder, 'on');
    const res = await on.call('POST', '/api/mind/intent/detect', { body: 'I cannot get into the online portal, I lost my password.' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { intents: { code: string }[]; ranking: { code: string }[] };
    assert.equal(body.ranking[0]?.code, 'ai_agent_password_reset');
    assert.deepEqual(body.intents.map((i) => i.code), ['ai_agent_password_reset']);
    // German keeps today's features, also with the encoder on.
    const de = await on.call('POST', '/api/mind/intent/detect', { body: 'Ich komme nicht ins Onlineportal, das Kennwort ist weg.' });
    assert.equal((de.json() as { ranking: { code: string }[] }).ranking[0]?.code, 'ai_agent_password_reset');
  });

  it('off: TF-IDF alone, same API', async () => {
    assert.equal((await ready(off)).sentenceEncoder, 'off');
    const res = await off.call('POST', '/api/mind/intent/detect', { body: 'I cannot get into the online portal, I lost my password.' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as { ranking: { code: string }[] }).ranking[0]?.code, 'ai_agent_password_reset');
  });
});

describe('without the optional packages', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tm-no-encoder-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loadSentenceEncoder answers null instead of throwing when the import fails', async () => {
    // A child process whose module resolution refuses @energetic-ai/*, as `npm ci --omit=optional`
    // leaves it (the packages of this checkout are installed, so they are hidden instead).
    const hooks = path.join(dir, 'hooks.mjs');
    writeFileSync(hooks, `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@energetic-ai/')) { const e = new Error('Cannot find package ' + specifier); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; }
  return next(specifier, context);
}\n`);
    const register = path.join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    // .mts: the temp dir has no package.json saying "type": "module", and the probe awaits at top level
    const script = path.join(dir, 'probe.mts');
    const src = pathToFileURL(path.resolve(fileURLToPath(import.meta.url), '../../../src/ai/intents/sentenceEncoder.ts')).href;
    writeFileSync(script, `const { loadSentenceEncoder } = await import(${JSON.stringify(src)});\nconsole.log(JSON.stringify({ encoder: (await loadSentenceEncoder()) === null ? 'null' : 'loaded' }));\n`);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(register).href, script], { cwd: path.resolve(fileURLToPath(import.meta.url), '../../..') });
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1)!), { encoder: 'null' });
  });
});

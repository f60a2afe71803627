import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/dialect.js';
import { trainIntentModelInWorker } from './intents/trainInWorker.js';
import { Coalescer } from '../jobs/coalescer.js';
import { detectIntents, loadIntentModel, textsToEmbed, type IntentModel, type IntentPrediction, type TrainingExample } from './intents/classifier.js';
import { EncoderThread } from './intents/encoderThread.js';
import { sentenceEncoderInstalled } from './intents/sentenceEncoder.js';
import { catalogueExamples } from './intents/catalogue.js';
import { preloadWordVectors } from './intents/embeddings.js';
import type { IntentModelCache } from './intents/modelCache.js';

const RECENT_VECTORS = 64;

/**
 * The serving intent model of the customer's catalogue. Trained at start and again whenever the
 * catalogue changes; the previous model keeps serving until the new one is ready, then it is
 * swapped in at once. Retrain requests during a training coalesce into one more run. With a
 * cache (modelCache.ts) an unchanged catalogue is loaded instead of trained again.
 *
 * With the sentence encoder on ('auto' and installed), English examples and messages also get
 * sentence vectors: in the training worker, and for serving in one encoder thread (never on the
 * event loop). Missing packages mean today's TF-IDF model, said once in the log.
 */
export class IntentEngine {
  private model: IntentModel | null = null;
  private readonly trainer = new Coalescer(() => this.train());
  private firstModel: Promise<void>;
  private resolveFirst!: () => void;
  version = 0;
  trainedAt: number | null = null;
  /** Where the serving model came from: trained now, or loaded from the cache. */
  source: 'trained' | 'cache' | null = null;
  private encoder: EncoderThread | null = null;
  private encoderMissingLogged = false;
  /** the last texts' vectors: detect and rank of one request ask for the same text */
  private readonly recentVectors = new Map<string, Float32Array>();

  constructor(
    private readonly db: Db,
    private readonly log: FastifyBaseLogger,
    private readonly cache: IntentModelCache | null = null,
    private readonly targetPrecision = 0.95,
    private readonly sentenceEncoder: 'auto' | 'off' = 'off',
  ) {
    this.firstModel = new Promise((r) => (this.resolveFirst = r));
  }

  get status(): 'training' | 'ready' {
    return this.trainer.busy || !this.model ? 'training' : 'ready';
  }

  info() {
    return {
      status: this.status, version: this.version, intents: this.model?.labels.length ?? 0, examples: this.model?.exampleCount ?? 0, trainedAt: this.trainedAt, source: this.source,
      // What an assigned intent promises: the threshold, and how it was chosen from held-out examples.
      thresholds: this.model ? { ...this.model.detectDefaults } : null,
      calibration: this.model?.calibration ?? null,
      sentenceEncoder: this.model?.sentence ? (this.encoder?.available === false ? 'unavailable' : 'on') : 'off',
    };
  }

  retrain(): Promise<void> {
    return this.trainer.request();
  }

  private async train(): Promise<void> {
    const started = Date.now();
    const rows = await this.db.kysely.selectFrom('ai_agents').select(['code', 'name_de', 'name_en', 'examples']).where('enabled', '=', 1).execute();
    // Names count as examples too: "Zählerstand melden" is the shortest request of its kind.
    const examples = catalogueExamples(rows.map((r) => ({ code: r.code, name: { de: r.name_de, en: r.name_en }, examples: JSON.parse(r.examples) as Record<string, string[]> })));
    try {
      const labels = new Set(examples.map((e) => e.label));
      // A worker thread keeps the HTTP event loop free while a large catalogue trains.
      const found = labels.size > 0 ? await this.trainOrLoad(examples) : null;
      this.model = found?.model ?? null;
      this.source = found?.source ?? null;
      this.version++;
      this.trainedAt = Math.floor(Date.now() / 1000);
      this.log.info({ version: this.version, source: this.source, intents: labels.size, examples: examples.length, ms: Date.now() - started }, 'intent model ready');
    } catch (err) {
      this.log.error({ err }, 'intent model training failed; the previous model keeps serving');
    } finally {
      this.resolveFirst();
    }
  }

  /** Whether to embed: asked for and installed (a missing package is said once, not per training). */
  private useEncoder(): boolean {
    if (this.sentenceEncoder === 'off') return false;
    if (sentenceEncoderInstalled()) return true;
    this.encoderMissing();
    return false;
  }

  private encoderMissing(): void {
    if (this.encoderMissingLogged) return;
    this.encoderMissingLogged = true;
    this.log.info('sentence encoder not installed (optional @energetic-ai packages); intents use TF-IDF features alone');
  }

  private async trainOrLoad(examples: TrainingExample[]): Promise<{ model: IntentModel; source: 'trained' | 'cache' }> {
    const encode = this.useEncoder();
    const options = { targetPrecision: this.targetPrecision, ...(encode ? { sentenceEncoder: true } : {}) };
    const workerOptions = { ...options, onEncoderUnavailable: () => this.encoderMissing() };
    if (!this.cache) return { model: await trainIntentModelInWorker(examples, workerOptions), source: 'trained' };
    const key = await this.cache.key(examples, (await preloadWordVectors()) !== null, options);
    const cached = await this.cache.read(key);
    if (cached !== null) {
      try {
        return { model: loadIntentModel(cached), source: 'cache' };
      } catch (err) {
        this.log.warn({ err, key }, 'cached intent model unreadable; training instead');
      }
    }
    const model = await trainIntentModelInWorker(examples, workerOptions);
    await this.cache.write(key, model.toJSON()).catch((err: unknown) => this.log.warn({ err }, 'could not cache the intent model'));
    return { model, source: 'trained' };
  }

  /** Resolves when no training runs (shutdown waits for it). */
  async settled(): Promise<void> {
    await this.trainer.settled();
  }

  /** Shutdown: waits for a running training, stops the encoder thread. */
  async close(): Promise<void> {
    await this.settled();
    await this.encoder?.close();
  }

  async detect(text: string): Promise<IntentPrediction[]> {
    if (!this.model) await this.firstModel;
    const model = this.model;
    if (!model) return [];
    return detectIntents(model, text, {}, await this.vectors(model, textsToEmbed(model, text)));
  }

  /** Best labels without a threshold (for the API's "try a text" endpoint). */
  async rank(text: string, n = 5): Promise<IntentPrediction[]> {
    if (!this.model) await this.firstModel;
    const model = this.model;
    if (!model) return [];
    const vectors = await this.vectors(model, textsToEmbed(model, text).slice(0, 1));
    return model.predict(text, vectors.get(text)).slice(0, n);
  }

  /** Sentence vectors from the encoder thread; none when the model reads none or the encoder is off. */
  private async vectors(model: IntentModel, texts: string[]): Promise<Map<string, Float32Array>> {
    if (!model.sentence || texts.length === 0 || this.sentenceEncoder === 'off') return new Map();
    this.encoder ??= new EncoderThread(this.log);
    const known = new Map<string, Float32Array>();
    const missing = texts.filter((t) => {
      const v = this.recentVectors.get(t);
      if (v) known.set(t, v);
      return !v;
    });
    for (const [t, v] of await this.encoder.embed(missing)) {
      known.set(t, v);
      if (this.recentVectors.size >= RECENT_VECTORS) this.recentVectors.delete(this.recentVectors.keys().next().value!);
      this.recentVectors.set(t, v);
    }
    return known;
  }
}

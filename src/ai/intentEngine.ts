import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/dialect.js';
import { trainIntentModelInWorker } from './intents/trainInWorker.js';
import { Coalescer } from '../jobs/coalescer.js';
import { detectIntents, type IntentModel, type IntentPrediction } from './intents/classifier.js';
import { catalogueExamples } from './intents/catalogue.js';

/**
 * The serving intent model of the customer's catalogue. Trained at start and again whenever the
 * catalogue changes; the previous model keeps serving until the new one is ready, then it is
 * swapped in at once. Retrain requests during a training coalesce into one more run.
 */
export class IntentEngine {
  private model: IntentModel | null = null;
  private readonly trainer = new Coalescer(() => this.train());
  private firstModel: Promise<void>;
  private resolveFirst!: () => void;
  version = 0;
  trainedAt: number | null = null;

  constructor(private readonly db: Db, private readonly log: FastifyBaseLogger) {
    this.firstModel = new Promise((r) => (this.resolveFirst = r));
  }

  get status(): 'training' | 'ready' {
    return this.trainer.busy || !this.model ? 'training' : 'ready';
  }

  info() {
    return { status: this.status, version: this.version, intents: this.model?.labels.length ?? 0, examples: this.model?.exampleCount ?? 0, trainedAt: this.trainedAt };
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
      const model = labels.size > 0 ? await trainIntentModelInWorker(examples) : null;
      this.model = model;
      this.version++;
      this.trainedAt = Math.floor(Date.now() / 1000);
      this.log.info({ version: this.version, intents: labels.size, examples: examples.length, ms: Date.now() - started }, 'intent model ready');
    } catch (err) {
      this.log.error({ err }, 'intent model training failed; the previous model keeps serving');
    } finally {
      this.resolveFirst();
    }
  }

  /** Resolves when no training runs (shutdown waits for it). */
  async settled(): Promise<void> {
    await this.trainer.settled();
  }

  async detect(text: string): Promise<IntentPrediction[]> {
    if (!this.model) await this.firstModel;
    return this.model ? detectIntents(this.model, text) : [];
  }

  /** Best labels without a threshold (for the API's "try a text" endpoint). */
  async rank(text: string, n = 5): Promise<IntentPrediction[]> {
    if (!this.model) await this.firstModel;
    return this.model ? this.model.predict(text).slice(0, n) : [];
  }
}

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrainingExample, TrainOptions } from './classifier.js';

// Training the seeded catalogue costs seconds of CPU, and every start trained it again although
// nothing had changed. A trained model is kept on disk under a key of everything it was trained
// from: the examples, whether word vectors were there, and the code of this folder (a changed
// tokenizer or trainer must never serve a model built by the old one). Same key, same model.

// The models of the most recently used catalogues are kept (an agent edited and reverted, a
// rollback): 32 of about 1.5 MB each. The test suite trains about a dozen distinct catalogues;
// with 8 kept it evicted its own before they were read again and retrained them on every run.
const KEEP = 32;
let codeHash: Promise<string> | null = null;

/** A hash of every file in the intent model's own folder (src/ai/intents, or dist/ai/intents when built). */
function intentCodeHash(): Promise<string> {
  codeHash ??= (async () => {
    const dir = path.dirname(fileURLToPath(import.meta.url));
    const h = crypto.createHash('sha256');
    for (const name of (await fs.readdir(dir)).sort()) {
      const file = path.join(dir, name);
      if ((await fs.stat(file)).isFile()) h.update(name).update('\0').update(await fs.readFile(file)).update('\0');
    }
    return h.digest('hex');
  })();
  return codeHash;
}

export class IntentModelCache {
  constructor(private readonly dir: string) {}

  async key(examples: readonly TrainingExample[], wordVectors: boolean, options: TrainOptions = {}): Promise<string> {
    const h = crypto.createHash('sha256').update(await intentCodeHash()).update(wordVectors ? 'vectors' : 'no-vectors').update(JSON.stringify(options));
    for (const e of examples) h.update('\0').update(e.label).update('\u0001').update(e.text);
    return h.digest('hex');
  }

  /** The serialised model for `key`, or null when there is none (or it cannot be read). A hit counts as a use. */
  async read(key: string): Promise<unknown> {
    const file = this.file(key);
    try {
      const model = JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
      const now = new Date();
      await fs.utimes(file, now, now).catch(() => undefined);
      return model;
    } catch {
      return null;
    }
  }

  /** Writes atomically (a reader never sees half a file; concurrent writers of one key agree); keeps the KEEP most recently used. */
  async write(key: string, model: unknown): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `.${key}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    await fs.writeFile(tmp, JSON.stringify(model));
    await fs.rename(tmp, this.file(key));
    const models = (await fs.readdir(this.dir)).filter((n) => n.endsWith('.json'));
    if (models.length <= KEEP) return;
    const dated = await Promise.all(models.map(async (n) => ({ n, t: (await fs.stat(path.join(this.dir, n)).catch(() => null))?.mtimeMs ?? 0 })));
    dated.sort((a, b) => b.t - a.t);
    await Promise.all(dated.slice(KEEP).map(({ n }) => fs.rm(path.join(this.dir, n), { force: true })));
  }

  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }
}

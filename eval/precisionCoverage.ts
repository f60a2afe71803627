// What the pipeline assigns, as a customer sees it: over confidence thresholds, the precision of
// the intents it would assign and the share of messages it leaves without one. Written as a
// Markdown table and a PNG plot (an SVG rendered by sharp, which the project has anyway).

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { repoRoot } from './datasets.js';

export interface Assignment {
  /** top-1 confidence */
  p: number;
  correct: boolean;
}

export interface CurvePoint {
  threshold: number;
  precision: number;
  coverage: number;
}

export const THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

export function curve(rows: readonly Assignment[], thresholds = THRESHOLDS): CurvePoint[] {
  return thresholds.map((threshold) => {
    const taken = rows.filter((r) => r.p >= threshold);
    return { threshold, precision: taken.length ? taken.filter((r) => r.correct).length / taken.length : 1, coverage: taken.length / Math.max(1, rows.length) };
  });
}

export const outDir = path.join(repoRoot, 'eval/out');

/** Writes eval/out/<name>.md and returns the table. */
export function writeCurveTable(curves: { name: string; points: CurvePoint[] }[], name = 'precision-coverage'): string {
  const header = `| threshold | ${curves.map((c) => `${c.name} precision | coverage`).join(' | ')} |`;
  const rule = `|---|${curves.map(() => '---|---').join('|')}|`;
  const lines = THRESHOLDS.map((t, i) => `| ${t.toFixed(2)} | ${curves.map((c) => `${c.points[i]!.precision.toFixed(3)} | ${c.points[i]!.coverage.toFixed(3)}`).join(' | ')} |`);
  const md = [header, rule, ...lines].join('\n');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, `${name}.md`), `${md}\n`);
  return md;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** Precision (y) against coverage (x), one line per benchmark, threshold points labelled. */
export async function writeCurvePlot(curves: { name: string; points: CurvePoint[] }[], name = 'precision-coverage'): Promise<string> {
  const W = 960;
  const H = 520;
  const m = { l: 70, r: 400, t: 30, b: 60 };
  const x = (c: number) => m.l + c * (W - m.l - m.r);
  const yMin = 0.5;
  const y = (p: number) => m.t + (1 - (Math.max(p, yMin) - yMin) / (1 - yMin)) * (H - m.t - m.b);
  const grid: string[] = [];
  for (let i = 0; i <= 10; i++) {
    const c = i / 10;
    grid.push(`<line x1="${x(c)}" y1="${m.t}" x2="${x(c)}" y2="${H - m.b}" stroke="#eee"/><text x="${x(c)}" y="${H - m.b + 18}" font-size="12" text-anchor="middle">${c.toFixed(1)}</text>`);
  }
  for (let p = yMin; p <= 1.0001; p += 0.05) {
    grid.push(`<line x1="${m.l}" y1="${y(p)}" x2="${W - m.r}" y2="${y(p)}" stroke="#eee"/><text x="${m.l - 8}" y="${y(p) + 4}" font-size="12" text-anchor="end">${p.toFixed(2)}</text>`);
  }
  grid.push(`<line x1="${m.l}" y1="${y(0.95)}" x2="${W - m.r}" y2="${y(0.95)}" stroke="#999" stroke-dasharray="4 4"/>`);
  const lines = curves.map((c, i) => {
    const col = COLOURS[i % COLOURS.length]!;
    const pts = c.points.map((p) => `${x(p.coverage).toFixed(1)},${y(p.precision).toFixed(1)}`).join(' ');
    const dots = c.points.map((p) => `<circle cx="${x(p.coverage).toFixed(1)}" cy="${y(p.precision).toFixed(1)}" r="3" fill="${col}"><title>${p.threshold}</title></circle>`).join('');
    const legend = `<rect x="${W - m.r + 16}" y="${m.t + 10 + i * 22}" width="14" height="4" fill="${col}"/><text x="${W - m.r + 36}" y="${m.t + 16 + i * 22}" font-size="12">${escapeXml(c.name)}</text>`;
    return `<polyline points="${pts}" fill="none" stroke="${col}" stroke-width="2"/>${dots}${legend}`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>${grid.join('')}${lines.join('')}
<text x="${(m.l + W - m.r) / 2}" y="${H - 18}" font-size="13" text-anchor="middle">coverage (share of messages given an intent)</text>
<text x="18" y="${(m.t + H - m.b) / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 18 ${(m.t + H - m.b) / 2})">precision of assigned intents</text>
<text x="${W - m.r + 16}" y="${H - m.b}" font-size="11" fill="#666">dashed: 0.95; points: thresholds ${THRESHOLDS[0]}…${THRESHOLDS.at(-1)}</text>
</svg>`;
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${name}.png`);
  await sharp(Buffer.from(svg)).png().toFile(file);
  return file;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

// The eval's precision/coverage curve (issue 17 item 1): the numbers and the PNG it writes.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { curve, outDir, writeCurvePlot, writeCurveTable } from '../../eval/precisionCoverage.js';

it('gives, per threshold, the precision of what is assigned and the share of messages assigned', () => {
  const rows = [
    { p: 0.95, correct: true },
    { p: 0.85, correct: true },
    { p: 0.6, correct: false },
    { p: 0.3, correct: true },
  ];
  assert.deepEqual(curve(rows, [0.1, 0.5, 0.9, 0.99]), [
    { threshold: 0.1, precision: 0.75, coverage: 1 },
    { threshold: 0.5, precision: 2 / 3, coverage: 0.75 },
    { threshold: 0.9, precision: 1, coverage: 0.25 },
    // nothing assigned: nothing wrong
    { threshold: 0.99, precision: 1, coverage: 0 },
  ]);
});

it('writes the table and a PNG plot under eval/out', async () => {
  const name = `test-precision-coverage-${process.pid}`;
  try {
    const md = writeCurveTable([{ name: 'a', points: curve([{ p: 0.9, correct: true }]) }], name);
    assert.match(md, /^\| threshold \| a precision \| coverage \|/);
    assert.equal(readFileSync(path.join(outDir, `${name}.md`), 'utf8'), `${md}\n`);
    const png = await writeCurvePlot([{ name: 'a <b>', points: curve([{ p: 0.9, correct: true }, { p: 0.4, correct: false }]) }], name);
    assert.equal(png, path.join(outDir, `${name}.png`));
    assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  } finally {
    for (const ext of ['md', 'png']) rmSync(path.join(outDir, `${name}.${ext}`), { force: true });
  }
  assert.equal(existsSync(path.join(outDir, `${name}.png`)), false);
});

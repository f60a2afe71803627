import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, parseCsvObjects } from '../../eval/csv.js';

describe('RFC 4180 CSV (eval loader)', () => {
  it('handles quoted commas, quotes and newlines', () => {
    const csv = 'text,category\n"Hello, world",a\n"She said ""hi""",b\r\n"two\nlines",c\nplain,d\n';
    assert.deepEqual(parseCsv(csv), [['text', 'category'], ['Hello, world', 'a'], ['She said "hi"', 'b'], ['two\nlines', 'c'], ['plain', 'd']]);
    assert.deepEqual(parseCsvObjects(csv)[2], { text: 'two\nlines', category: 'c' });
  });

  it('refuses an unterminated quote and a ragged row', () => {
    assert.throws(() => parseCsv('a,"b\n'), /quoted/);
    assert.throws(() => parseCsvObjects('a,b\n1,2,3\n'), /fields/);
  });
});

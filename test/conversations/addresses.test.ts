import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAddress, fullAddress, parseAddress, simpleAddress } from '../../src/conversations/addresses.js';

test('names are kept, whitespace in them collapsed, bare "Name addr" accepted', () => {
  assert.deepEqual(parseAddress('Kunde 1 <kunde1@example.de>', 'from'), { address: 'kunde1@example.de', name: 'Kunde 1' });
  assert.deepEqual(parseAddress('  Hans \t Müller   <h.mueller@stadtwerke-süd.de> ', 'from'), { address: 'h.mueller@stadtwerke-süd.de', name: 'Hans Müller' });
  assert.deepEqual(parseAddress('Max Mustermann max@example.de', 'from'), { address: 'max@example.de', name: 'Max Mustermann' });
  assert.deepEqual(parseAddress('"Müller, Hans" <h@example.de>', 'from'), { address: 'h@example.de', name: 'Müller, Hans' });
  assert.deepEqual(parseAddress('<service@example.de>', 'to'), { address: 'service@example.de', name: null });
  assert.equal(formatAddress(parseAddress('"Müller, Hans" <h@example.de>', 'from')), '"Müller, Hans" <h@example.de>');
});

test('invalid addresses are refused with the field named', () => {
  for (const bad of ['not an address', 'a..b@example.de', '.a@example.de', 'a@localhost', 'Name <a@b..de>', '<>', 'a@b.de, c@d.de', 'Gruppe: a@b.de;']) {
    assert.throws(() => parseAddress(bad, 'ccEmails[2]'), (err: Error & { field?: string }) => {
      assert.match(err.message, /not an email address/);
      return true;
    }, bad);
  }
});

test('the plain-shape shortcut takes the common shapes', () => {
  for (const s of ['kunde1@example.de', '<kunde1@example.de>', 'Kunde 1 <kunde1@example.de>', 'Jörg Weiß <joerg.weiss@example.de>', "O'Brien <o+tag@mail.example.ie>"]) {
    assert.notEqual(simpleAddress(s), null, s);
  }
  for (const s of ['"Quoted" <a@b.de>', 'Dr. Hans <a@b.de>', 'Hans (Kunde) <a@b.de>', 'a@[10.0.0.1]']) {
    assert.equal(simpleAddress(s), null, s);
  }
});

// The shortcut claims to know email-addresses' answer for the shapes it takes. Thousands of
// generated inputs, built from the pieces where the two could part (dots, specials, quotes,
// comments, whitespace, non-ASCII, brackets), hold it to that: wherever it answers, the full
// parser gives the same answer, and where the full parser refuses, the shortcut does not answer.
test('the shortcut agrees with the full RFC 5322 parser on every input it takes', () => {
  let seed = 20261129;
  // mulberry32: a small seeded generator, so that a failure reproduces.
  const rand = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const pick = <T,>(xs: readonly T[]): T => xs[rand(xs.length)]!;
  const atoms = ['kunde', 'Max', 'a', 'Z9', "o'brien", 'x+y', 'ä', 'Weiß', 'é', '日本', '-', '_', '~', '{x}', '#1', '😀', 'a\u00a0b', '\u2003', '\ufeff', '\u200b', '\u00ad', 'İ', 'ß'];
  const odd = ['.', '..', ' ', '\t', '  ', '"', '\\', '(', ')', ',', ';', ':', '@', '<', '>', '[', ']', '\r\n', ''];
  const word = () => {
    let w = pick(atoms);
    while (rand(3) === 0) w += rand(4) === 0 ? pick(odd) + pick(atoms) : pick(atoms);
    return w;
  };
  const dotted = (minParts: number) => {
    const parts = [word()];
    while (parts.length < minParts || rand(3) === 0) parts.push(word());
    return parts.join(rand(8) === 0 ? pick(odd) : '.');
  };
  const spec = () => `${dotted(1)}@${dotted(rand(4) === 0 ? 1 : 2)}`;
  const name = () => {
    const words = [word()];
    while (rand(2) === 0) words.push(word());
    return words.join(pick([' ', '  ', '\t', ' \t ', '.', ' . ', '"', ',']));
  };
  const shapes = [
    () => spec(),
    () => `<${spec()}>`,
    () => `${name()} <${spec()}>`,
    () => `${name()}<${spec()}>`,
    () => `"${name()}" <${spec()}>`,
    () => `${name()} (${word()}) <${spec()}>`,
    () => `${name()} <${spec()}`,
    () => `${name()}: ${spec()};`,
    () => `${spec()}, ${spec()}`,
  ];

  let taken = 0;
  for (let i = 0; i < 20000; i++) {
    const s = pick(shapes)().trim();
    const fast = simpleAddress(s);
    if (fast === null) continue;
    taken++;
    assert.deepEqual(fast, fullAddress(s), JSON.stringify(s));
  }
  // The generator must actually reach the shortcut, or this test proves nothing.
  assert.ok(taken > 1000, `only ${taken} inputs took the shortcut`);
});

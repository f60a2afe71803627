import { it } from 'node:test';
import assert from 'node:assert/strict';
import { subjectWithTag, ticketIdsInSubject, ticketTag } from '../../src/mail/ticketTag.js';

it('the ticket tag is written once and read back', () => {
  assert.equal(ticketTag(42), '[#42]');
  assert.equal(subjectWithTag('Re: Zählerstand', 42), 'Re: Zählerstand [#42]');
  assert.equal(subjectWithTag('Re: Zählerstand [#42]', 42), 'Re: Zählerstand [#42]');
  assert.equal(subjectWithTag('', 7), '[#7]');
  assert.deepEqual(ticketIdsInSubject('AW: Re: Zählerstand [#42]'), [42]);
  assert.deepEqual(ticketIdsInSubject('[#3] und [#4] und [#3]'), [3, 4]);
  assert.deepEqual(ticketIdsInSubject('[#0] [#abc] [# 5] #6 [#1234567890123]'), []);
  assert.deepEqual(ticketIdsInSubject(null), []);
  assert.deepEqual(ticketIdsInSubject('['.repeat(100_000) + '#'), []);
});

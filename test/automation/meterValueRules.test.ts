import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { meterValueRules } from '../../src/automation/gate.js';
import type { Playbook } from '../../src/automation/playbook.js';

// The meter reading's gate rules as pure logic: a photo that needs confirmation, and a value below
// the contract's previous reading, each block with a message saying why.
const playbook = { parameters: [{ key: 'meterValue', extractor: 'meterValue' }] } as unknown as Playbook;

describe('meterValueRules', () => {
  it('blocks a photo that needs confirmation and names the candidates', () => {
    const m = meterValueRules({ meterPhotoNeedsConfirmation: ['25210', '25411'] }, playbook);
    assert.equal(m.length, 1);
    assert.match(m[0]!, /needs confirmation.*25210, 25411/);
  });
  it('blocks a value below the previous reading, passes one above it', () => {
    assert.match(meterValueRules({ meterValue: 12000, contract: { previousReading: 12345 } }, playbook)[0]!, /below the contract's previous reading 12345/);
    assert.deepEqual(meterValueRules({ meterValue: 12400, contract: { lastMeterReading: '12345' } }, playbook), []);
    assert.deepEqual(meterValueRules({ meterValue: 12400 }, playbook), []);
  });
  it('ignores agents without a meter value', () => {
    assert.deepEqual(meterValueRules({ meterPhotoNeedsConfirmation: [] }, { parameters: [] } as unknown as Playbook), []);
  });
});

import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { renderTemplate } from '../../src/automation/template.js';
import { valueAfterLabel } from '../../src/automation/parameters.js';
import { shippedPlaybook } from '../../src/automation/playbook.js';

describe('reply templates and the label extractor', () => {
  it('renders placeholders HTML-escaped, numbers the language\'s way, and lists what is missing', () => {
    const r = renderTemplate('<p>{{ meterValue }} · {{customer.firstName}} · {{action.result.id}} · {{nope}}</p>', { meterValue: 12345.6, customer: { firstName: '<b>Eve</b>' }, action: { result: { id: 'R&1' } } }, 'de');
    assert.equal(r.text, '<p>12.345,6 · &lt;b&gt;Eve&lt;/b&gt; · R&amp;1 · </p>');
    assert.deepEqual(r.missing, ['nope']);
    assert.equal(renderTemplate('{{meterValue}}', { meterValue: 12345.6 }, 'en').text, '12,345.6');
    assert.equal(renderTemplate('no close {{ here', {}, 'de').text, 'no close {{ here');
  });
  it('reads a value after a label, linear on hostile text', () => {
    assert.equal(valueAfterLabel('Meine Kundennummer: 100234567, danke', 'Kundennummer', 'digits'), '100234567');
    assert.equal(valueAfterLabel('Kundennummer Nr. K-12345-', 'kundennummer', 'alphanumeric'), 'K-12345');
    assert.equal(valueAfterLabel('Kundennummer unbekannt', 'Kundennummer', 'digits'), undefined);
    const hostile = 'Kundennummer '.repeat(20_000) + '-'.repeat(20_000);
    assert.equal(valueAfterLabel(hostile, 'Kundennummer', 'digits'), undefined);
  });
  it('the shipped playbooks (meter reading, bank details, instalment) are valid and answer in German and English', () => {
    for (const code of ['ai_agent_meter_reading', 'ai_agent_bank_details_change', 'ai_agent_installment_change']) {
      const p = shippedPlaybook(code)!;
      assert.equal(p.autoExecute, true, code);
      for (const c of p.responses) assert.ok(c.reply.de && c.reply.en, code);
    }
  });
});

describeEachDb('playbooks on PATCH /api/mind/aiAgent/{id}', (app) => {
  const agentId = async () => ((await app().call('GET', '/api/mind/aiAgents')).json().aiAgents as any[]).find((a) => a.code === 'ai_agent_tariff_change').id as number;

  it('a bad playbook is a 422 naming the field and changes nothing', async () => {
    const t = app();
    const id = await agentId();
    const before = (await t.call('GET', `/api/mind/aiAgent/${id}`)).json().aiAgent;
    for (const [playbook, field] of [
      [{ responses: [] }, 'playbook.responses'],
      [{ parameters: [{ key: 'x', source: 'message', extractor: 'regex' }], responses: [{ reply: { de: 'a' } }] }, 'playbook.parameters[0].extractor'],
      [{ responses: [{ reply: { de: 'Hallo {{unknown}}' } }] }, 'playbook.responses[0].reply.de'],
      [{ action: { url: 'ftp://x' }, responses: [{ reply: { de: 'a' } }] }, 'playbook.action.url'],
      [{ responses: [{ when: { path: 'accepted', equals: true }, reply: { de: 'a' } }] }, 'playbook.responses[0].when'],
      [{ minConfidence: 2, responses: [{ reply: { de: 'a' } }] }, 'playbook.minConfidence'],
    ] as const) {
      const res = await t.call('PATCH', `/api/mind/aiAgent/${id}`, { playbook });
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json().error.field, field, res.body);
    }
    const after = (await t.call('GET', `/api/mind/aiAgent/${id}`)).json().aiAgent;
    assert.deepEqual([after.playbook, after.modifiedAt], [before.playbook, before.modifiedAt]);
  });

  it('a good playbook is stored with its defaults and shown', async () => {
    const t = app();
    const id = await agentId();
    const res = await t.call('PATCH', `/api/mind/aiAgent/${id}`, { playbook: {
      autoExecute: false,
      parameters: [{ key: 'amount', type: 'number', required: true, source: 'message', extractor: 'pattern', label: 'Abschlag', shape: 'digits' }],
      responses: [{ reply: { de: 'Ihr neuer Abschlag: {{amount}} €', en: 'Your new instalment: {{amount}} €' }, then: { status: 'pending', pendingDays: 2 } }],
    } });
    assert.equal(res.statusCode, 200, res.body);
    const got = (await t.call('GET', `/api/mind/aiAgent/${id}`)).json().aiAgent;
    assert.equal(got.playbookSource, 'own');
    assert.equal(got.playbook.minConfidence, 0.8);
    assert.equal(got.playbook.parameters[0].label, 'Abschlag');
    assert.equal(got.playbook.action, null);
  });
});

import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { renderTemplate } from '../../src/automation/template.js';
import { valueAfterLabel } from '../../src/automation/parameters.js';
import { shippedPlaybook } from '../../src/automation/playbook.js';
import { checkScheduleConfig, nextRunAt, parseBusinessHours } from '../../src/automation/schedule.js';
import { jobsOf } from '../helpers/jobs.js';

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

describe('when a gated execution runs', () => {
  const hours = parseBusinessHours('1-5 08:00-18:00');
  const at = (iso: string) => new Date(iso).getTime();
  const run = (iso: string) => new Date(nextRunAt(at(iso), hours, 'Europe/Berlin')).toISOString();
  it('inside the window at once; before it at its start; at the weekend on Monday; across a DST change in local time', () => {
    assert.equal(run('2026-12-02T10:00:00.000Z'), '2026-12-02T10:00:00.000Z', 'Wednesday 11:00 Berlin');
    assert.equal(run('2026-12-02T06:00:30.000Z'), '2026-12-02T07:00:00.000Z', 'Wednesday 07:00 Berlin → 08:00');
    assert.equal(run('2026-12-02T17:30:00.000Z'), '2026-12-03T07:00:00.000Z', 'Wednesday 18:30 Berlin → Thursday 08:00');
    assert.equal(run('2026-12-05T10:00:00.000Z'), '2026-12-07T07:00:00.000Z', 'Saturday → Monday 08:00');
    assert.equal(run('2026-03-28T12:00:00.000Z'), '2026-03-30T06:00:00.000Z', 'Saturday before summer time → Monday 08:00 CEST');
    assert.equal(nextRunAt(at('2026-12-05T10:00:00.000Z'), null, 'Europe/Berlin'), at('2026-12-05T10:00:00.000Z'), 'no hours: any time');
  });
  it('bad settings fail at start', () => {
    assert.throws(() => checkScheduleConfig({ AUTOMATION_BUSINESS_HOURS: 'weekdays', AUTOMATION_TIMEZONE: 'Europe/Berlin' }), /AUTOMATION_BUSINESS_HOURS/);
    assert.throws(() => checkScheduleConfig({ AUTOMATION_BUSINESS_HOURS: '5-1 08:00-18:00', AUTOMATION_TIMEZONE: 'Europe/Berlin' }), /empty window/);
    assert.throws(() => checkScheduleConfig({ AUTOMATION_BUSINESS_HOURS: '', AUTOMATION_TIMEZONE: 'Mars/Olympus' }), /AUTOMATION_TIMEZONE/);
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

describeEachDb('dark-processing routes on bad input', (app) => {
  it('unknown ids are 404, malformed input 400 naming the field, a preview intent cannot execute (422); nothing is written', async () => {
    const t = app();
    const jobs = async () => (await jobsOf(t)).length;
    const before = await jobs();
    for (const [method, url, body, status] of [
      ['GET', '/api/mind/intent/999999', undefined, 404],
      ['POST', '/api/mind/intent/999999/execute', {}, 404],
      ['POST', '/api/mind/intent/1/execute', { _action: 'bogus' }, 400],
      ['POST', '/api/mind/intent/1/execute', { dryRun: 'yes please' }, 400],
      ['POST', '/api/mind/ticket/999999/autoexecute', undefined, 404],
      ['POST', '/api/mind/ticket/1/autoexecute?dryRun=maybe', undefined, 400],
      ['POST', '/api/mind/ticket/1/autoexecute?executeAgentId=0', undefined, 400],
      ['GET', '/api/mind/customer/byTicketId/999999', undefined, 404],
      ['GET', '/api/mind/ticket/stats?days=0', undefined, 400],
      ['PATCH', '/api/mind/aiAgent/1', { playbook: [1, 2] }, 400],
    ] as const) {
      const res = await t.call(method, url, body);
      assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
      assert.equal(res.json().success, false);
    }
    // A meter-reading question without the value: the intent is preview and cannot execute.
    const res = await t.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', from: 'kunde@example.de', subject: 'Zählerstand', body: '<p>Hallo, ich möchte meinen Zählerstand melden. Wie geht das?</p>' });
    const ticketId = res.json().id as number;
    await t.services.jobRunner!.drainOnce();
    const intent = (await t.call('GET', `/api/mind/intent/byTicketId/${ticketId}`)).json().intents[0];
    const exec = await t.call('POST', `/api/mind/intent/${intent.id}/execute`, {});
    assert.equal(exec.statusCode, 422, exec.body);
    assert.equal(exec.json().error.code, 'intent_not_ready');
    const customer = (await t.call('GET', `/api/mind/customer/byTicketId/${ticketId}`)).json();
    assert.equal(customer.configured, false);
    assert.match(customer.infos[0].message, /no customer system/);
    // graphile-worker deletes the finished pipeline job; SQLite keeps it as done.
    assert.equal(await jobs(), before + (t.kind === 'sqlite' ? 1 : 0), 'only the pipeline job of the new ticket');
  });
});

describeEachDb('a configured delay', (app) => {
  it('the gate passes at once, the execution is queued for later, nothing is answered yet', async () => {
    const t = app();
    const sent = Date.now();
    const res = await t.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', from: 'kunde@example.de', subject: 'Zählerstand', body: '<p>Guten Tag, mein Zählerstand ist 12345 kWh.</p>' });
    const ticketId = res.json().id as number;
    await t.services.jobRunner!.drainOnce();
    const intent = (await t.call('GET', `/api/mind/intent/byTicketId/${ticketId}`)).json().intents[0];
    assert.equal(intent.status, 'ready');
    assert.ok(intent.infos.some((i: any) => i.type === 'success' && /every automation rule passed/.test(i.message)), JSON.stringify(intent.infos));
    assert.equal((await t.call('GET', `/api/mind/ticket/${ticketId}`)).json().aiSupportLevel, 'automated');
    const [job] = await jobsOf(t, { key: `intent-execute:${intent.id}` });
    assert.ok(job, 'the execution job');
    assert.equal(job.status, 'queued');
    // run_at is reckoned from a clock read a moment before the job row's created_at: measure from the request.
    assert.ok(job.run_at >= sent + 3_600_000, `${job.run_at - sent} ms after the request`);
  });
}, { AUTOMATION_DELAY_SECONDS: '3600', CUSTOMER_SYSTEM_URL: 'http://127.0.0.1:9', CUSTOMER_SYSTEM_SECRET: 'x'.repeat(32), OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });

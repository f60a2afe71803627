import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { jobStatus } from '../helpers/jobs.js';

describeEachDb('ticket create with process=realtime', (app) => {
  it('runs AI before answering, like store: the answer already has the intent, the safety-net job has nothing left', async () => {
    const t = app();
    const res = await t.call('POST', '/api/mind/ticket?process=realtime', {
      channel: 'email', from: 'kunde@example.de', subject: 'Zählerstand', body: '<p>Guten Tag, mein Zählerstand ist 12.345,6 kWh. Viele Grüße</p>',
    });
    assert.equal(res.statusCode, 200, res.body);
    const ticketId = res.json().id as number;
    // No wait: a realtime create has run its AI when the answer comes.
    const intents = (await t.call('GET', `/api/mind/intent/byTicketId/${ticketId}`)).json();
    const meter = intents.intents.find((i: { code: string }) => i.code === 'ai_agent_meter_reading');
    assert.ok(meter, JSON.stringify(intents));
    assert.equal(meter.data.meterValue, 12345.6);
    const conv = (await t.call('GET', `/api/mind/ticket/${ticketId}/conversation`)).json().conversations[0];
    assert.equal(typeof conv.cortexRequestId, 'number');
    assert.equal(await jobStatus(t, `conversation:${conv.id}`), 'done');
  });
});

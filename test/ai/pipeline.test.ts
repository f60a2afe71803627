import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, waitFor, type TestApp } from '../helpers/app.js';
import { jobsOf, jobStatus } from '../helpers/jobs.js';

const METER_DE = '<p>Guten Tag,</p><p>mein Zählerstand beträgt heute 12.345,6 kWh. Zählernummer 1ESY1160123456.</p><p>Viele Grüße<br>Anna</p>';

async function eventsOf(t: TestApp, ticketId: number, type: string) {
  return (await t.call('POST', '/api/mind/event/search', { filters: [{ key: 'e.ticketId', value: ticketId }, { key: 'e.type', value: type }] })).json().events as Array<{ data: Record<string, unknown> }>;
}

describeEachDb('AI pipeline', (app) => {
  it('realtime: the response carries intents, cortexRequestId and the run is recorded', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'realtime', subject: 'Zählerstand', body: METER_DE, crmNotificationId: 'crm-77' });
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json().conversation;
    assert.ok(c.intentIds.includes('ai_agent_meter_reading'), JSON.stringify(c.intentIds));
    assert.equal(typeof c.cortexRequestId, 'number');
    const cortex = (await t.call('GET', `/api/mind/cortex/${c.cortexRequestId}`)).json().cortexRequest;
    assert.equal(cortex.status, 'success');
    assert.equal(cortex.provider, 'offline');
    assert.equal(cortex.outputs.language, 'de');
    assert.equal(cortex.outputs.parameters.meterValue, 12345.6);
    assert.ok(typeof cortex.steps.intents === 'number');
    const intents = (await t.call('GET', `/api/mind/intent/byTicketId/${ticketId}`)).json();
    assert.ok(intents.intentsFound >= 1, JSON.stringify(intents));
    const meter = intents.intents.find((i: { code: string }) => i.code === 'ai_agent_meter_reading');
    assert.equal(meter.aiAgentId, 1);
    assert.ok(meter.confidence > 0 && meter.confidence <= 1);
    assert.equal(meter.data.meterValue, 12345.6);
    const ticket = (await t.call('GET', `/api/mind/ticket/${ticketId}`)).json();
    assert.equal(ticket.languageCode, 'de');
    assert.equal(ticket.aiSupportLevel, 'human', 'analysed and left to a person: an intent does not make a ticket bot');
    const thanks = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'realtime', body: 'Vielen Dank!' });
    assert.deepEqual(thanks.json().conversation.intentIds, []);
    assert.equal((await t.call('GET', `/api/mind/ticket/${ticketId}`)).json().aiSupportLevel, 'human', 'a later message keeps the level');
    assert.equal(await jobStatus(t, `conversation:${c.id}`), 'done', 'the safety-net job has nothing left to do');
    const resp = await eventsOf(t, ticketId, 'ticketResponse');
    assert.equal(resp.length, 2, 'later customer messages are TicketResponses');
    assert.ok(resp.some((e) => e.data.crmNotificationId === 'crm-77'));
  });

  it('batch: a durable job, picked up by the worker; the conversation and ticket get the results', async () => {
    const t = app();
    const created = await t.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', subject: 'Bank details', body: '<p>Hello, please change my bank details, my new IBAN is DE89 3704 0044 0532 0130 00. Thanks</p>' });
    const ticketId = created.json().id;
    const conv = (await t.call('GET', `/api/mind/ticket/${ticketId}/conversation`)).json().conversations[0];
    const done = await waitFor(async () => {
      const c = (await t.call('GET', `/api/mind/ticket/${ticketId}/conversation/${conv.id}`)).json().conversation;
      return c.cortexRequestId !== null ? c : null;
    }, 15_000, 'the batch job');
    assert.ok(done.intentIds.includes('ai_agent_bank_details_change'), JSON.stringify(done.intentIds));
    const cortex = (await t.call('GET', `/api/mind/cortex/${done.cortexRequestId}`)).json().cortexRequest;
    assert.equal(cortex.outputs.parameters.iban, 'DE89370400440532013000');
    assert.equal(cortex.outputs.language, 'en');
    const createdEvents = await eventsOf(t, ticketId, 'ticketCreated');
    assert.equal(createdEvents.length, 1, 'TicketCreated after the first incoming message is processed');
  });

  it('false: no job, no cortex request; TicketCreated at once', async () => {
    const t = app();
    const created = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'email', body: '<p>Ich möchte meinen Vertrag kündigen.</p>' });
    const ticketId = created.json().id;
    assert.equal(created.json().aiSupportLevel, 'human');
    const conv = (await t.call('GET', `/api/mind/ticket/${ticketId}/conversation`)).json().conversations[0];
    assert.equal(conv.cortexRequestId, null);
    const jobs = await jobsOf(t, { key: `conversation:${conv.id}` });
    assert.equal(jobs.length, 0);
    assert.equal((await eventsOf(t, ticketId, 'ticketCreated')).length, 1);
  });

  it('detects German and English intents, several concerns, and none in small talk', async () => {
    const t = app();
    const detect = async (body: string) => (await t.call('POST', '/api/mind/intent/detect', { body })).json();
    const de = await detect('Ich ziehe am 1. Mai nach Hamburg um, bitte melden Sie meinen Stromvertrag um.');
    assert.equal(de.language, 'de');
    assert.equal(de.intents[0].code, 'ai_agent_move');
    const en = await detect('I forgot my password for the customer portal and cannot log in.');
    assert.equal(en.language, 'en');
    assert.equal(en.intents[0].code, 'ai_agent_password_reset');
    const two = await detect('Ich ziehe nächsten Monat um. Außerdem möchte ich meine Bankverbindung ändern, neue IBAN folgt.');
    const codes = two.intents.map((i: { code: string }) => i.code);
    assert.ok(codes.includes('ai_agent_move') && codes.includes('ai_agent_bank_details_change'), JSON.stringify(two.intents));
    const thanks = await detect('Vielen Dank, schönes Wochenende!');
    assert.deepEqual(thanks.intents, []);
    // Nothing assigned, yet the ranking shows what the model thinks: five, best first.
    assert.equal(thanks.ranking.length, 5);
    for (let i = 1; i < 5; i++) assert.ok(thanks.ranking[i - 1].confidence >= thanks.ranking[i].confidence);
    assert.equal(de.ranking[0].code, 'ai_agent_move');
  });

  it('the catalogue is the customer\'s: a new AI agent retrains the model in the background', async () => {
    const t = app();
    const before = (await t.call('GET', '/api/mind/intent/model')).json();
    const examples = {
      de: ['Wann kommt der Techniker für die Wallbox?', 'Ich möchte eine Wallbox installieren lassen', 'Angebot für eine Ladestation für mein E-Auto', 'Wallbox Installation Termin', 'Können Sie mir eine Wallbox anbieten?', 'Ladesäule für die Garage bestellen'],
      en: ['When will the technician install my wallbox?', 'I want a charging station for my electric car', 'Quote for a home EV charger', 'Book a wallbox installation', 'Do you sell wallboxes?', 'EV charger installation appointment'],
    };
    const res = await t.call('POST', '/api/mind/aiAgent', { code: 'ai_agent_wallbox', name: { de: 'Wallbox', en: 'Wallbox' }, description: 'EV charging', examples });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().aiAgent.code, 'ai_agent_wallbox');
    const model = await waitFor(async () => {
      const m = (await t.call('GET', '/api/mind/intent/model')).json();
      return m.status === 'ready' && m.version > before.version ? m : null;
    }, 30_000, 'retraining');
    assert.equal(model.intents, before.intents + 1);
    assert.equal(model.examples, before.examples + 13, '12 examples and the name');
    const got = (await t.call('POST', '/api/mind/intent/detect', { body: 'Ich interessiere mich für eine Wallbox für mein Elektroauto.' })).json();
    assert.equal(got.intents[0]?.code, 'ai_agent_wallbox');
    assert.equal((await t.call('POST', '/api/mind/aiAgent', { code: 'ai_agent_wallbox', name: 'dup' })).statusCode, 409);
    const id = res.json().aiAgent.id;
    assert.equal((await t.call('DELETE', `/api/mind/aiAgent/${id}`)).statusCode, 200);
  });
});

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import type { TestApp } from '../helpers/app.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { buildTasks } from '../../src/jobs/tasks.js';

const level = async (t: TestApp, id: number) => (await t.call('GET', `/api/mind/ticket/${id}`)).json().aiSupportLevel as string;
const outcome = async (t: TestApp, id: number) => (await t.call('GET', `/api/mind/intent/byTicketId/${id}`)).json().aiOutcome as string;

// aiSupportLevel with Enneo's meaning (src/tickets/aiSupportLevel.ts).
describeEachDb('aiSupportLevel', (app) => {
  it('unprocessed until analysed, then human even with an intent; process=false is human at once', async () => {
    const t = app();
    const meter = (await t.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', body: '<p>Mein Zählerstand beträgt 12.345,6 kWh.</p>' })).json().id as number;
    assert.equal(await level(t, meter), 'unprocessed');
    // aiOutcome is Enneo's full | agentAssist | customerDetected | noDetection (src/automation/intentModel.ts).
    assert.equal(await outcome(t, meter), 'noDetection');
    // This suite's app runs no jobs (WORKER_ENABLED=false), so the state before the analysis is
    // there to read; a runner of the same tasks then drains the job.
    await new JobRunner(t.ctx.db, buildTasks(t.ctx), { concurrency: 1, leaseMs: 30_000, logger: t.app.log }).drainOnce();
    // No sender address: nobody to answer, so dark processing stays out and a person works it.
    assert.equal(await level(t, meter), 'human', 'an intent says what the customer wants, not that a bot answers');
    assert.equal(await outcome(t, meter), 'agentAssist');

    const manual = (await t.call('POST', '/api/mind/ticket?process=false', { channel: 'email', body: '<p>Mein Zählerstand beträgt 12.345,6 kWh.</p>' })).json();
    assert.equal(manual.aiSupportLevel, 'human');
    assert.equal(await outcome(t, manual.id), 'noDetection');
  });

  it('a ticket a bot holds stays bot when a later message is analysed', async () => {
    const t = app();
    const id = (await t.call('POST', '/api/mind/ticket?process=false', { channel: 'chat', body: 'Hallo' })).json().id as number;
    // Nothing in ticketmind runs a chat bot yet; the state one would leave is set directly.
    await t.ctx.db.kysely.updateTable('tickets').set({ ai_support_level: 'bot' }).where('id', '=', id).execute();
    const res = await t.call('POST', `/api/mind/ticket/${id}/conversation/store`, { process: 'realtime', direction: 'in', body: 'Ich möchte meinen Zählerstand 4711 melden' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(await level(t, id), 'bot');
    const search = await t.call('POST', '/api/mind/ticket/search', { filters: [{ key: 't.aiSupportLevel', comparator: '=', value: 'bot' }] });
    assert.ok((search.json().tickets as Array<{ id: number }>).some((x) => x.id === id));
  });
}, { WORKER_ENABLED: 'false' });

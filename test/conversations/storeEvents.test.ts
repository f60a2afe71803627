import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, type TestApp } from '../helpers/app.js';

// The events one store records, in one insert (insertConversation → recordEvents): their order,
// the eventId the response names, and TicketCreated vs TicketResponse decided inside that insert.

interface Event { id: number; type: string; conversationId: number | null; data: Record<string, unknown> }

async function eventsOf(t: TestApp, ticketId: number): Promise<Event[]> {
  const res = await t.call('POST', '/api/mind/event/search', { filters: [{ key: 'e.ticketId', value: ticketId }], limit: 100 });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().events as Event[]).sort((a, b) => a.id - b.id);
}

async function store(t: TestApp, ticketId: number, body: Record<string, unknown>) {
  const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { body: '<p>Zählerstand 1234</p>', process: false, ...body });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { conversationId: number; eventId: number };
}

describeEachDb('events of a store', (app) => {
  it('process=false: the first incoming message is TicketCreated, later ones TicketResponse, each after its ConversationStored', async () => {
    const t = app();
    // A ticket an agent opened: no incoming message yet.
    const ticketId = await createTicket(t, { direction: 'out' });
    const before = (await eventsOf(t, ticketId)).length;
    const first = await store(t, ticketId, { direction: 'in' });
    const second = await store(t, ticketId, { direction: 'in', priority: 'high' });
    const events = (await eventsOf(t, ticketId)).slice(before);
    assert.deepEqual(events.map((e) => `${e.type}:${e.conversationId}`), [
      `conversationStored:${first.conversationId}`, `ticketCreated:${first.conversationId}`,
      'ticketUpdated:null', `conversationStored:${second.conversationId}`, `ticketResponse:${second.conversationId}`,
    ]);
    assert.equal(first.eventId, events[0]!.id);
    assert.equal(second.eventId, events[3]!.id);
    assert.deepEqual(events[2]!.data.changes, { priority: 'high' });
  });

  it('an agent message records ConversationStored then ConversationCreated; batch leaves the customer events to the AI', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const before = (await eventsOf(t, ticketId)).length;
    const out = await store(t, ticketId, { direction: 'out' });
    const events = (await eventsOf(t, ticketId)).slice(before);
    assert.deepEqual(events.map((e) => e.type), ['conversationStored', 'conversationCreated']);
    assert.equal(out.eventId, events[0]!.id);
    const batch = await store(t, ticketId, { direction: 'in', process: 'batch' });
    const after = (await eventsOf(t, ticketId)).slice(before + 2);
    assert.deepEqual(after.map((e) => e.type), ['conversationStored']);
    assert.equal(batch.eventId, after[0]!.id);
  });
}, { WORKER_ENABLED: 'false' }); // no job runs: what a batch store itself records stays readable

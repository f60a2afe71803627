import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket } from '../helpers/app.js';

// offset on the event log and on a hook's deliveries takes the shared Offset range (0 … 2^31-1).
describeEachDb('event and delivery paging: offset', (app) => {
  it('out of range is a 400 naming offset; in range pages, from the query or the body', async () => {
    const t = app();
    await createTicket(t);
    await createTicket(t);
    const hook = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: ['TicketUpdated'] });
    assert.equal(hook.statusCode, 200, hook.body);
    const bad = [
      () => t.call('POST', '/api/mind/event/search?offset=2147483648', {}),
      () => t.call('POST', '/api/mind/event/search?offset=-1', {}),
      () => t.call('POST', '/api/mind/event/search', { offset: 2 ** 63 }),
      () => t.call('GET', `/api/mind/settings/event-hook/${hook.json().id}/deliveries?offset=9223372036854775808`),
    ];
    for (const call of bad) {
      const res = await call();
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().success, false);
      assert.equal(res.json().error.field, 'offset');
    }
    const total = (await t.call('POST', '/api/mind/event/search', {})).json().total as number;
    assert.ok(total >= 2);
    const byQuery = await t.call('POST', `/api/mind/event/search?offset=${total - 1}`, { filters: [] });
    assert.equal(byQuery.statusCode, 200, byQuery.body);
    assert.equal(byQuery.json().offset, total - 1, 'a query offset is not overridden by a body default');
    assert.equal(byQuery.json().events.length, 1);
    const byBody = await t.call('POST', '/api/mind/event/search', { offset: total });
    assert.equal(byBody.json().events.length, 0);
    const deliveries = await t.call('GET', `/api/mind/settings/event-hook/${hook.json().id}/deliveries?offset=5`);
    assert.equal(deliveries.statusCode, 200, deliveries.body);
    assert.equal(deliveries.json().offset, 5);
  });
}, { OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });

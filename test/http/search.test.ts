import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';

describeEachDb('search DSL, dates and references', (app) => {
  it('prototype names as filter key or order field are 400 naming the field', async () => {
    const t = app();
    for (const path of ['/api/mind/ticket/search', '/api/mind/event/search']) {
      for (const key of ['constructor', '__proto__', 'toString']) {
        const byKey = await t.call('POST', path, { filters: [{ key, value: 1 }] });
        assert.equal(byKey.statusCode, 400, `${path} ${key}: ${byKey.body}`);
        assert.equal(byKey.json().error.field, 'filters[0].key');
        const byOrder = await t.call('POST', path, { orderByField: key });
        assert.equal(byOrder.statusCode, 400, `${path} ${key}: ${byOrder.body}`);
        assert.equal(byOrder.json().error.field, 'orderByField');
      }
    }
  });

  it('caps the total number of filter values and refuses like on a number field', async () => {
    const t = app();
    const many = Array.from({ length: 300 }, (_, i) => i + 1);
    const res = await t.call('POST', '/api/mind/ticket/search', { filters: [{ key: 't.id', values: many }, { key: 't.agentId', values: many }] });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.field, 'filters[1].values');
    const like = await t.call('POST', '/api/mind/ticket/search', { filters: [{ key: 't.id', comparator: 'like', value: '1' }] });
    assert.equal(like.statusCode, 400, like.body);
    assert.equal(like.json().error.field, 'filters[0].comparator');
  });

  it('impossible ISO dates and dates before 1970 are 422 naming the field, and write nothing', async () => {
    const t = app();
    const before = (await t.call('POST', '/api/mind/ticket/search', {})).json().total;
    for (const createdAt of ['2024-02-30T10:00:00Z', '1969-12-31T23:59:59Z', '1960-01-01 00:00:00']) {
      const res = await t.call('POST', '/api/mind/ticket', { channel: 'email', body: 'x', createdAt });
      assert.equal(res.statusCode, 422, `${createdAt}: ${res.body}`);
      assert.equal(res.json().error.field, 'createdAt');
    }
    const search = await t.call('POST', '/api/mind/ticket/search', { filters: [{ key: 't.createdAt', comparator: '>', value: '2024-02-30T10:00:00Z' }] });
    assert.equal(search.statusCode, 422, search.body);
    assert.equal(search.json().error.field, 'filters[0].value');
    assert.equal((await t.call('POST', '/api/mind/ticket/search', {})).json().total, before);
  });

  it('ticket create with an unknown agentId is 422 naming the field and writes nothing', async () => {
    const t = app();
    const before = (await t.call('POST', '/api/mind/ticket/search', {})).json().total;
    const events = (await t.call('POST', '/api/mind/event/search', {})).json().total;
    const res = await t.call('POST', '/api/mind/ticket', { channel: 'email', body: 'x', agentId: 987654 });
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(res.json().error.field, 'agentId');
    assert.equal((await t.call('POST', '/api/mind/ticket/search', {})).json().total, before);
    assert.equal((await t.call('POST', '/api/mind/event/search', {})).json().total, events);
  });
});

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { databases, startApp } from '../helpers/app.js';
import { jobsOf } from '../helpers/jobs.js';

for (const kind of databases()) {
  it(`erasing a ticket deletes its queued jobs [${kind}]`, async () => {
    // No runner: the AI job stays queued.
    const t = await startApp(kind, { WORKER_ENABLED: 'false' });
    try {
      const created = (await t.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', body: '<p>Mein Zählerstand ist 4711.</p>' })).json();
      const conv = (await t.call('GET', `/api/mind/ticket/${created.id}/conversation`)).json().conversations[0];
      assert.deepEqual((await jobsOf(t, { key: `conversation:${conv.id}` })).map((j) => j.status), ['queued']);
      const res = await t.call('DELETE', `/api/mind/ticket/${created.id}`);
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(res.json().deleted.jobs >= 1, res.body);
      assert.deepEqual(await jobsOf(t, { key: `conversation:${conv.id}` }), []);
    } finally {
      await t.close();
    }
  });
}

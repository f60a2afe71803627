import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runServiceUntilItDies } from '../helpers/serviceProcess.js';
import { databases, dropTestResources, noteSkippedPostgres, startApp, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtpSink.js';
import { UNKNOWN_OUTCOME } from '../../src/replies/sendReply.js';
import { conversation, drain, mailboxOn, parse, reply, ticketOn } from './helpers.js';
import { expireLeases, jobsOf } from '../helpers/jobs.js';

// "Sent at most once" across a crash: a real service process (src/main.ts) takes the queued reply,
// the SMTP server accepts it, and the process kills itself with SIGKILL before recording that
// (REPLY_TEST_KILL_AFTER_SMTP, honoured only with NODE_ENV=test) — deterministically between SMTP
// and commit. The restarted service must not send it again and must say what happened.

noteSkippedPostgres();


for (const kind of databases()) {
  describe(`a reply across kill -9 between SMTP and commit [${kind}]`, () => {
    it('exactly one mail arrived; after the restart the reply is failed as unknown, not sent again; a resend keeps its Message-ID', async () => {
      const sink = await SmtpSink.start();
      const first = await startApp(kind, { WORKER_ENABLED: 'false' });
      const reuse = { dataDir: first.dataDir, ...(kind === 'postgres' ? { pgUrl: first.ctx.config.DATABASE_URL } : {}) };
      let second: TestApp | null = null;
      try {
        const ticketId = await ticketOn(first, await mailboxOn(first, sink));
        const res = await reply(first, ticketId, { body: '<p>Ihre Abschlagszahlung sinkt auf 42 €.</p>' });
        assert.equal(res.statusCode, 200, res.body);
        const queued = res.json().conversation;
        assert.equal(queued.deliveryStatus, 'queued');
        await first.app.close();

        const died = await runServiceUntilItDies(reuse.dataDir, reuse.pgUrl ?? '', { REPLY_TEST_KILL_AFTER_SMTP: 'true' });
        assert.equal(died.signal, 'SIGKILL', `the service should have killed itself after the SMTP answer; exit ${died.code}: ${died.stderr}`);
        assert.equal(sink.accepted.length, 1, 'the server accepted the mail before the process died');

        second = await startApp(kind, { SMTP_RETRY_BASE_MS: '0' }, reuse);
        if (kind === 'postgres') {
          // On PostgreSQL the dead process's job comes back when its lease runs out (JOB_LEASE_SECONDS);
          // the test lets it run out now instead of waiting for it.
          await expireLeases(second, 'sendReply');
        }
        await drain(second);
        const after = await conversation(second, ticketId, queued.id);
        assert.equal(after.deliveryStatus, 'failed');
        assert.equal(after.deliveryError, UNKNOWN_OUTCOME);
        assert.equal(after.sentAt, null);
        assert.equal(sink.accepted.length, 1, 'not sent a second time');
        const jobs = await jobsOf(second, { task: 'sendReply' });
        // graphile-worker deletes a completed job, with its attempt count; SQLite keeps the row.
        if (kind === 'sqlite') assert.deepEqual(jobs.map((j) => [j.status, j.attempts]), [['done', 2]], 'the killed attempt and the one that recorded the outcome');
        else assert.deepEqual(jobs, [], 'completed');

        // A person checked and resends: the same Message-ID, so a client that has the first files them as one.
        const resend = await second.call('POST', `/api/mind/ticket/${ticketId}/conversation/${queued.id}/send`, {});
        assert.equal(resend.statusCode, 200, resend.body);
        await drain(second);
        assert.equal(sink.accepted.length, 2);
        const [a, b] = await Promise.all(sink.accepted.map((m) => parse(m.raw)));
        assert.equal(a!.messageId, `<${queued.messageId}>`);
        assert.equal(b!.messageId, a!.messageId);
        assert.equal((await conversation(second, ticketId, queued.id)).deliveryStatus, 'sent');
      } finally {
        await second?.app.close().catch(() => {});
        await first.app.close().catch(() => {});
        await sink.close();
        await dropTestResources(kind, reuse);
      }
    });
  });
}

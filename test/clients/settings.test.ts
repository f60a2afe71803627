import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { redactSetting, redactUrls, REDACTED } from '../../src/settings/redact.js';
import { configKeys } from '../../src/config.js';
import { isSecretName } from '../../src/settings/redact.js';

// Every secret of the config set to a value of its own; no answer of the settings endpoints may
// hold any of them. The secret names are found by the same rule the endpoints use, and the test
// also names the ones it knows, so a rule that stops matching them fails here.
const SECRETS: Record<string, string> = {
  ADMIN_PASSWORD: 'admin-password-1',
  SESSION_SECRET: 'sess-secret-0123456789abcdef0123456789',
  METRICS_TOKEN: 'metrics-token-s3cr3t',
  AI_API_KEY: 'sk-live-key-s3cr3t',
  AI_BASE_URL: 'https://llm-user:llm-pass-s3cr3t@llm.example/v1?api_key=query-key-s3cr3t',
};
const LEAKS = ['admin-password-1', 'sess-secret-0123456789abcdef', 'metrics-token-s3cr3t', 'sk-live-key-s3cr3t', 'llm-user', 'llm-pass-s3cr3t', 'query-key-s3cr3t'];

describeEachDb('settings (read) and the AI-agent list', (app) => {
  it('GET /settings: config, version, features; every secret redacted in every endpoint', async () => {
    const t = app();
    for (const key of ['ADMIN_PASSWORD', 'SESSION_SECRET', 'METRICS_TOKEN', 'AI_API_KEY']) assert.ok(isSecretName(key), key);
    for (const url of ['/api/mind/settings', '/api/mind/settings/search?q=s3cr3t', '/api/mind/settings/search?q=a', '/api/mind/settings/category/security', '/api/mind/settings/category/ai', '/api/mind/settings?filterByName=AI_BASE_URL,AI_API_KEY']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: t.cookie } });
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      for (const leak of LEAKS) assert.ok(!res.body.includes(leak), `${url} leaks ${leak}`);
      assert.ok(!(t.kind === 'postgres' && res.body.includes(t.ctx.config.DATABASE_URL) && new URL(t.ctx.config.DATABASE_URL).password), 'database password');
    }
    const all = (await t.call('GET', '/api/mind/settings')).json();
    assert.equal(all.success, true);
    const byName = new Map((all.settings as Array<{ name: string; category: string; value: unknown }>).map((s) => [s.name, s]));
    for (const key of configKeys) assert.ok(byName.has(key), `config ${key} listed`);
    assert.equal(byName.get('AI_API_KEY')!.value, REDACTED);
    assert.equal(byName.get('METRICS_TOKEN')!.category, 'security');
    assert.equal(byName.get('AI_BASE_URL')!.value, `https://${encodeURIComponent(REDACTED)}:${encodeURIComponent(REDACTED)}@llm.example/v1?api_key=${encodeURIComponent(REDACTED)}`);
    assert.equal(byName.get('REALTIME_BUDGET_MS')!.value, 10_000, 'numbers stay numbers');
    assert.equal(typeof byName.get('version')!.value, 'string');
    assert.equal(byName.get('llmEnabled')!.value, true);
    assert.equal(byName.get('database')!.value, t.kind);

    const filtered = (await t.call('GET', '/api/mind/settings?filterByName=port,HOST&filterByCategory=http')).json().settings;
    assert.deepEqual(filtered.map((s: { name: string }) => s.name).sort(), ['HOST', 'PORT']);
    assert.deepEqual((await t.call('GET', '/api/mind/settings?filterByCategory=nope')).json().settings, []);
    const retention = (await t.call('GET', '/api/mind/settings/category/retention')).json().settings;
    assert.deepEqual(retention.map((s: { name: string }) => s.name).sort(), ['TECHNICAL_DATA_RETENTION_DAYS', 'TICKET_RETENTION_DAYS']);
    const search = (await t.call('GET', '/api/mind/settings/search?q=hook_retry')).json().settings;
    assert.deepEqual(search.map((s: { name: string }) => s.name).sort(), ['HOOK_RETRY_BASE_MS', 'HOOK_RETRY_MAX_MS']);
    assert.equal((await t.call('GET', '/api/mind/settings/search')).statusCode, 400, 'q is required');
  });

  it('GET /aiAgent lists like /aiAgents; q, channel and limit', async () => {
    const t = app();
    const a = (await t.call('GET', '/api/mind/aiAgents')).json();
    const b = (await t.call('GET', '/api/mind/aiAgent')).json();
    assert.equal(a.success, true);
    assert.ok(a.aiAgents.length >= 2);
    assert.deepEqual(b, a);
    const meter = (await t.call('GET', '/api/mind/aiAgents?q=METER_READING')).json().aiAgents;
    assert.deepEqual(meter.map((x: { code: string }) => x.code), ['ai_agent_meter_reading']);
    assert.equal((await t.call('GET', '/api/mind/aiAgent?limit=1')).json().aiAgents.length, 1);
    assert.equal((await t.call('GET', '/api/mind/aiAgents?channel=email')).json().aiAgents.length, a.aiAgents.length);
    const bad = await t.call('GET', '/api/mind/aiAgents?channel=fax');
    assert.equal(bad.statusCode, 400);
    assert.equal((await t.call('GET', '/api/mind/aiAgents?limit=0')).statusCode, 400);
  });

  it('the redaction rule on its own: names, URLs with credentials, lists', () => {
    assert.equal(redactSetting('IMAP_PASSWORD', 'x'), REDACTED);
    assert.equal(redactSetting('SMTP_PASS', ''), '', 'an unset secret shows as unset');
    assert.equal(redactSetting('SOME_API_KEY', 'k'), REDACTED);
    assert.equal(redactSetting('PORT', 3000), 3000);
    assert.ok(!redactUrls('postgres://tm:pw-9@db:5432/tm').includes('pw-9'));
    assert.ok(!redactUrls('postgres://db/tm?password=pw-8').includes('pw-8'));
    assert.ok(!redactUrls('a.example, imaps://u:pw-7@mail.example:993').includes('pw-7'));
    assert.ok(!redactUrls('weird://u:pw-6@[bad').includes('pw-6'), 'an unparseable URL loses what precedes its @');
  });
}, { ...SECRETS });

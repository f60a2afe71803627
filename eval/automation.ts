// The automation section of `npm run eval`: a labelled set of German and English mails
// (eval/data/automation.json) through the real service — pipeline, gate, execution job, reply —
// against a stub of the customer's system that accepts every meter reading. It counts the mails
// answered without a person, the wrong ones among them (automated although a person should have
// looked, or with another value than the mail's), and why the rest stayed with a person.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/app.js';
import { repoRoot, sharedDataDir } from './datasets.js';
import type { ResultRow } from './metrics.js';

interface Item { id: string; subject: string; body: string; photo?: string; followUp?: string; automate: boolean; value?: number }
const METER = 'ai_agent_meter_reading';

export async function evalAutomation(): Promise<ResultRow[]> {
  const items = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'eval/data/automation.json'), 'utf8')) as { items: Item[] }).items;
  const labels = new Map<string, string>();
  const metersDir = path.join(sharedDataDir, 'meters');
  if (fs.existsSync(path.join(metersDir, 'labels.json'))) {
    for (const l of (JSON.parse(fs.readFileSync(path.join(metersDir, 'labels.json'), 'utf8')) as { items: { file: string; value: string }[] }).items) labels.set(l.file, l.value);
  }
  const calls: { ticketId: number; meterValue: unknown }[] = [];
  const stub = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      if (req.url === '/customers/lookup') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      const b = JSON.parse(raw) as { ticketId: number; parameters: { meterValue?: unknown } };
      calls.push({ ticketId: b.ticketId, meterValue: b.parameters.meterValue });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true}');
    });
  });
  await new Promise<void>((ok) => stub.listen(0, '127.0.0.1', ok));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-eval-automation-'));
  const password = 'eval-password-123';
  const built = await buildApp(loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, ADMIN_EMAIL: 'eval@ticketmind.local', ADMIN_PASSWORD: password, OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    CUSTOMER_SYSTEM_URL: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`, CUSTOMER_SYSTEM_SECRET: 'eval-secret-0123456789abcdef0123456789', OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
    INTENT_MODEL_CACHE_DIR: path.join(os.tmpdir(), 'ticketmind-test-intent-models'),
  }));
  const started = performance.now();
  const rows: ResultRow[] = [];
  try {
    await built.app.ready();
    const login = await built.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'eval@ticketmind.local', password } });
    const cookie = `connect.sid=${login.cookies.find((c) => c.name === 'connect.sid')!.value}`;
    const call = (method: 'GET' | 'POST', url: string, payload?: object) => built.app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });
    const drain = () => built.services.jobRunner!.drainOnce();

    let automated = 0;
    let wrong = 0;
    let meterMails = 0;
    let meterAutomated = 0;
    const why = new Map<string, number>();
    const wrongIds: string[] = [];
    for (const item of items) {
      const photo = item.photo && labels.has(item.photo) ? fs.readFileSync(path.join(metersDir, item.photo)) : null;
      if (item.photo && !photo) continue; // the shared meter photos are not there
      const expected = item.value ?? (item.photo ? Number(labels.get(item.photo)) : undefined);
      const res = await call('POST', '/api/mind/ticket?process=batch', {
        channel: 'email', from: 'kunde@example.de', subject: item.subject, body: item.body.replace(/\n/g, '<br>'),
        ...(photo ? { attachments: [{ name: item.photo, base64: photo.toString('base64') }] } : {}),
      });
      const ticketId = (res.json() as { id: number }).id;
      await drain();
      if (item.followUp) {
        await call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'batch', direction: 'in', from: 'kunde@example.de', body: item.followUp });
        await drain();
      }
      const intents = (await call('GET', `/api/mind/intent/byTicketId/${ticketId}`)).json() as { intents: { code: string; status: string; outcome: { success: boolean; userId: number | null } | null; infos: { type: string; message: string }[] }[] };
      const done = intents.intents.find((i) => i.status === 'executed' && i.outcome?.success && i.outcome.userId === null);
      const isMeter = item.automate && (item.value !== undefined || item.photo !== undefined);
      if (isMeter) meterMails++;
      if (done) {
        automated++;
        if (isMeter) meterAutomated++;
        const value = calls.find((c) => c.ticketId === ticketId)?.meterValue;
        if (!item.automate || done.code !== METER || (expected !== undefined && value !== expected)) {
          wrong++;
          wrongIds.push(`${item.id} (${done.code}, ${String(value)})`);
        }
      } else {
        const reason = intents.intents.length === 0 ? 'no intent detected'
          : intents.intents.flatMap((i) => i.infos).find((i) => i.type === 'danger')?.message.replace(/^gate: /, '').replace(/\([^()]*\)/g, '(…)').replace(/\d+(?:\.\d+)?/g, 'N').slice(0, 90) ?? 'no blocking info';
        why.set(reason, (why.get(reason) ?? 0) + 1);
      }
    }
    const ms = (performance.now() - started) / Math.max(1, items.length);
    rows.push({ section: 'automation', setting: 'automated / all mails', test: items.length, accuracy: automated / items.length, msPerItem: ms, note: `${automated} answered without a person` });
    rows.push({ section: 'automation', setting: 'meter-reading mails automated (target >= 0.60)', test: meterMails, accuracy: meterMails ? meterAutomated / meterMails : 0 });
    rows.push({ section: 'automation', setting: 'automated wrongly (target <= 0.01)', test: automated, accuracy: automated ? wrong / automated : 0, note: wrongIds.join('; ') });
    for (const [reason, n] of [...why.entries()].sort((a, b) => b[1] - a[1])) rows.push({ section: 'automation', setting: `stayed with a person: ${reason}`, test: n });
  } finally {
    await built.app.close();
    await new Promise((ok) => stub.close(ok));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

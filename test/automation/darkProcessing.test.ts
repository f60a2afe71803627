import { describe, it, before, after } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { databases, noteSkippedPostgres, startApp, type TestApp } from '../helpers/app.js';
import { CustomerSystem } from './customerSystem.js';
import { buildTasks } from '../../src/jobs/tasks.js';
import { EXECUTE_INTENT_TASK } from '../../src/automation/execute.js';
import type { JobRow } from '../../src/db/schema.js';
import { isOcrAvailable } from '../../src/ai/ocr/readMeter.js';
import { renderMeterImage } from '../../src/ai/ocr/renderMeterImage.js';

const ocr = await isOcrAvailable();
// strip-02 shows 25411; the OCR reads 25210, its variants disagree (calibrated confidence ~0.28).
const SHARED_PHOTO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/meters/strip-02.jpg');
if (!ocr && process.env.CI === 'true') throw new Error('CI=true but the OCR engine (optional dependencies) is not installed');

// Dark processing end to end: a customer's mail through the real pipeline (offline model and
// extraction), the gate, the durable execution job, a signed call to a local stub of the
// customer's system, the reply through replyToTicket, the ticket closed.

const SECRET = 'customer-system-secret-0123456789abcdef';
const METER = 'ai_agent_meter_reading';
noteSkippedPostgres();

async function mail(t: TestApp, body: string, subject = 'Zählerstand', extra: Record<string, unknown> = {}) {
  const res = await t.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', from: 'Karl Kunde <kunde@example.de>', subject, body, ...extra });
  assert.equal(res.statusCode, 200, res.body);
  await t.services.jobRunner!.drainOnce();
  return res.json().id as number;
}
const intentsOf = async (t: TestApp, ticketId: number) => (await t.call('GET', `/api/mind/intent/byTicketId/${ticketId}`)).json();
const conversations = async (t: TestApp, ticketId: number) => (await t.call('GET', `/api/mind/ticket/${ticketId}/conversation`)).json().conversations as any[];
const ticket = async (t: TestApp, ticketId: number) => (await t.call('GET', `/api/mind/ticket/${ticketId}`)).json();

for (const kind of databases()) {
  describe(`dark processing [${kind}]`, () => {
    let t: TestApp;
    let cs: CustomerSystem;
    before(async () => {
      cs = await CustomerSystem.start(SECRET);
      t = await startApp(kind, { CUSTOMER_SYSTEM_URL: cs.url, CUSTOMER_SYSTEM_SECRET: SECRET, OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });
    });
    after(async () => {
      await t?.close();
      await cs?.close();
    });

    it('a German meter-reading mail is answered automatically: the signed action once, the value in the reply, the ticket closed', async () => {
      const before = cs.actions().length;
      const id = await mail(t, '<p>Guten Tag,</p><p>mein aktueller Zählerstand ist 12.345,6 kWh.</p><p>Mit freundlichen Grüßen<br>Karl Kunde</p>');
      const calls = cs.actions().slice(before);
      assert.equal(calls.length, 1, 'the action was called once');
      const call = calls[0]!;
      assert.equal(call.path, '/meter-readings');
      assert.ok(call.signed, 'signed like event hooks');
      assert.equal(call.body.phase, 'perform');
      assert.equal(call.body.parameters.meterValue, 12345.6);
      assert.equal(call.body.ticketId, id);
      assert.match(String(call.headers['idempotency-key']), /^ticketmind-intent-\d+$/);

      const res = await intentsOf(t, id);
      assert.equal(res.aiOutcome, 'full');
      const intent = res.intents.find((i: any) => i.code === METER);
      assert.equal(intent.status, 'executed', JSON.stringify(intent.infos));
      assert.equal(intent.outcome.success, true);
      assert.equal(intent.outcome.ticketClosed, true);
      assert.equal(intent.outcome.userId, null);
      assert.deepEqual(intent.actionResult, { accepted: true, readingId: 'R-1' });
      assert.ok(intent.options.some((o: any) => o.type === 'execute' && o.recommended));
      const one = (await t.call('GET', `/api/mind/intent/${intent.id}`)).json();
      assert.equal(one.intent.status, 'executed');

      const out = (await conversations(t, id)).filter((c) => c.direction === 'out');
      assert.equal(out.length, 1);
      assert.match(out[0].body, /12\.345,6/, 'the value in German notation');
      const tk = await ticket(t, id);
      assert.equal(tk.status, 'closed');
      assert.equal(tk.aiSupportLevel, 'automated');
      const events = await t.ctx.db.kysely.selectFrom('events').select('data').where('ticket_id', '=', id).where('type', '=', 'autoProcessIntent').execute();
      assert.equal(events.length, 1);
      assert.equal(JSON.parse(events[0]!.data).outcome.success, true);
      // The timeline tells the story: the gate passed, then the execution's outcome.
      const activity = (await t.call('GET', `/api/mind/ticket/${id}/activity`)).json().activities as Array<{ type: string; details: any }>;
      assert.ok(activity.some((a) => a.type === 'automationGate' && a.details.passed === true), JSON.stringify(activity.map((a) => a.type)));
      assert.ok(activity.some((a) => a.type === 'autoProcessIntent'), JSON.stringify(activity.map((a) => a.type)));
    });

    it('a German mail with only a meter photo is answered with the value read from it, the ticket closed', { skip: ocr ? false : 'OCR engine not installed' }, async () => {
      const photo = await renderMeterImage('0012345', { style: 'drum' });
      const id = await mail(t, '<p>Guten Tag, anbei ein Foto von meinem Stromzähler, bitte den Stand übernehmen.</p>', 'Zählerstand', { attachments: [{ name: 'zaehler.jpg', base64: photo.toString('base64') }] });
      const intent = (await intentsOf(t, id)).intents.find((i: any) => i.code === METER);
      assert.equal(intent.status, 'executed', JSON.stringify(intent.infos));
      assert.equal(intent.data.meterValue, 12345);
      const out = (await conversations(t, id)).filter((c) => c.direction === 'out');
      assert.equal(out.length, 1);
      assert.match(out[0].body, /12\.345/);
      assert.equal((await ticket(t, id)).status, 'closed');
    });

    it('the photo unreadable: stays with a person, and the infos say the value is missing', { skip: ocr ? false : 'OCR engine not installed' }, async () => {
      const before = cs.actions().length;
      const sharp = (await import('sharp')).default;
      const grey = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#bbbbbb' } }).png().toBuffer();
      const id = await mail(t, '<p>Guten Tag, anbei ein Foto von meinem Stromzähler, bitte den Stand übernehmen.</p>', 'Zählerstand', { attachments: [{ name: 'zaehler.png', base64: grey.toString('base64') }] });
      const intent = (await intentsOf(t, id)).intents.find((i: any) => i.code === METER);
      assert.equal(intent.status, 'preview');
      assert.ok(intent.infos.some((i: any) => /meterValue/.test(i.message)), JSON.stringify(intent.infos));
      assert.equal(cs.actions().length, before);
      assert.equal((await conversations(t, id)).filter((c) => c.direction === 'out').length, 0);
    });

    it('an ambiguous photo (strip-02, misread as 25210) needs confirmation: the attachment lists candidates, no value, the infos say why, nothing sent', { skip: ocr && fs.existsSync(SHARED_PHOTO) ? false : 'OCR engine or shared/data/meters missing' }, async () => {
      const before = cs.actions().length;
      const id = await mail(t, '<p>Guten Tag, anbei ein Foto von meinem Stromzähler, bitte den Stand übernehmen.</p>', 'Zählerstand', { attachments: [{ name: 'zaehler.jpg', base64: fs.readFileSync(SHARED_PHOTO).toString('base64') }] });
      const intent = (await intentsOf(t, id)).intents.find((i: any) => i.code === METER);
      assert.equal(intent.status, 'preview');
      assert.equal(intent.data.meterValue, undefined);
      assert.ok(intent.infos.some((i: any) => i.type === 'danger' && /meter photo needs confirmation/.test(i.message)), JSON.stringify(intent.infos));
      const att = (await conversations(t, id)).flatMap((c) => c.attachments)[0];
      assert.equal(att.extractionStatus, 'needsConfirmation');
      assert.ok(Array.isArray(att.extractionData.candidates) && att.extractionData.reading.digits, JSON.stringify(att.extractionData));
      assert.equal(cs.actions().length, before);
      assert.equal((await conversations(t, id)).filter((c) => c.direction === 'out').length, 0);
    });

    it('the value missing: the ticket stays with a person, the intent is preview and its infos say why', async () => {
      const before = cs.actions().length;
      const id = await mail(t, '<p>Hallo, ich möchte meinen Zählerstand melden. Wie geht das?</p>');
      assert.equal(cs.actions().length, before, 'nothing called');
      const intent = (await intentsOf(t, id)).intents.find((i: any) => i.code === METER);
      assert.ok(intent, 'the meter-reading intent is detected');
      assert.equal(intent.status, 'preview');
      assert.ok(intent.infos.some((i: any) => i.type === 'warning' && /meterValue/.test(i.message)), JSON.stringify(intent.infos));
      assert.ok(intent.infos.some((i: any) => i.type === 'danger' && /not ready/.test(i.message)), JSON.stringify(intent.infos));
      assert.equal((await conversations(t, id)).filter((c) => c.direction === 'out').length, 0);
      assert.notEqual((await ticket(t, id)).aiSupportLevel, 'automated');
      const gate = ((await t.call('GET', `/api/mind/ticket/${id}/activity`)).json().activities as Array<{ type: string; summary: string; details: any }>).find((a) => a.type === 'automationGate');
      assert.ok(gate && gate.details.passed === false && /stays with a person: .*meterValue/.test(gate.summary), JSON.stringify(gate));
    });

    it('two concerns in one mail never auto-execute; the dry run of one shows the reply and the request, and calls and sends nothing', async () => {
      const before = cs.actions().length;
      const id = await mail(t, '<p>Guten Tag, mein Zählerstand ist 23456 kWh. Außerdem möchte ich meinen Vertrag zum 31.12. kündigen.</p>', 'Zählerstand und Kündigung');
      const res = await intentsOf(t, id);
      assert.ok(res.intents.length >= 2, `two intents detected: ${JSON.stringify(res.intents.map((i: any) => i.code))}`);
      const meter = res.intents.find((i: any) => i.code === METER);
      assert.equal(meter.status, 'ready');
      assert.ok(meter.infos.some((i: any) => i.type === 'danger' && /concerns/.test(i.message)), JSON.stringify(meter.infos));
      assert.equal(cs.actions().length, before);
      assert.notEqual((await ticket(t, id)).aiSupportLevel, 'automated');

      const dry = await t.call('POST', `/api/mind/intent/${meter.id}/execute`, { dryRun: true });
      assert.equal(dry.statusCode, 200, dry.body);
      const d = dry.json();
      assert.equal(d.dryRun, true);
      assert.match(d.reply.text, /23\.456/);
      assert.equal(d.actionRequest.url, `${cs.url}/meter-readings`);
      assert.equal(d.actionRequest.body.parameters.meterValue, 23456);
      const auto = await t.call('POST', `/api/mind/ticket/${id}/autoexecute?dryRun=true&allowMultipleIntents=true&executeAgentId=${meter.aiAgentId}`);
      assert.equal(auto.statusCode, 200, auto.body);
      assert.equal(auto.json().runs[0].dryRun, true);
      assert.equal(cs.actions().length, before, 'the dry runs called nothing');
      assert.equal((await conversations(t, id)).filter((c) => c.direction === 'out').length, 0, 'and sent nothing');
      assert.equal((await t.call('GET', `/api/mind/intent/${meter.id}`)).json().intent.status, 'ready');

      const blocked = await t.call('POST', `/api/mind/ticket/${id}/autoexecute`);
      assert.equal(blocked.statusCode, 207, blocked.body);
      assert.equal(blocked.json().runs.length, 0);
    });

    it('the action is called once even when the execution runs again after dying between the action, the reply and the commit', async () => {
      const id = await mail(t, '<p>Guten Tag, Zählerstand Strom: 34567 kWh.</p>');
      const k = t.ctx.db.kysely;
      const intent = (await intentsOf(t, id)).intents.find((i: any) => i.code === METER);
      assert.equal(intent.status, 'executed', JSON.stringify(intent.infos));
      const callsBefore = cs.actions().length;
      // As a process that died after the action's answer and the reply, before the commit left it:
      await k.updateTable('ticket_intents').set({ status: 'ready', outcome: null, reply_conversation_id: null, exec_claim: 'job:999999', exec_claim_until: Date.now() - 1 }).where('id', '=', intent.id).execute();
      const task = buildTasks(t.ctx)[EXECUTE_INTENT_TASK]!;
      const job = { id: 424242, attempts: 2 } as JobRow;
      await task({ intentId: intent.id }, job);
      await task({ intentId: intent.id }, job);
      assert.equal(cs.actions().length, callsBefore, 'the kept answer is used: no second call');
      assert.equal((await conversations(t, id)).filter((c) => c.direction === 'out').length, 1, 'the reply is found, not made again');
      const after = (await t.call('GET', `/api/mind/intent/${intent.id}`)).json().intent;
      assert.equal(after.status, 'executed');
      assert.equal(after.outcome.success, true);
    });

    it('a customer recognised by the sender address is legitimated (20): bank details answered with the customer\'s name, contract on the ticket', async () => {
      cs.customers.push({ customer: { id: 'K-1', firstName: 'Anna', lastName: 'Schmidt', email: 'anna.schmidt@example.de' }, contract: { id: 'C-100', number: 'V100100' } });
      const before = cs.actions().length;
      const id = await mail(t, '<p>Guten Tag, meine neue Bankverbindung lautet IBAN DE89 3704 0044 0532 0130 00. Bitte buchen Sie den Abschlag künftig von diesem Konto ab.</p>', 'Neue Bankverbindung', { from: 'Anna Schmidt <anna.schmidt@example.de>' });
      const res = await intentsOf(t, id);
      const intent = res.intents.find((i: any) => i.code === 'ai_agent_bank_details_change');
      assert.ok(intent, JSON.stringify(res.intents.map((i: any) => i.code)));
      assert.equal(intent.status, 'executed', JSON.stringify(intent.infos));
      assert.equal(intent.contractId, 'C-100');
      const calls = cs.actions().slice(before);
      assert.equal(calls.length, 1);
      assert.equal(calls[0]!.path, '/bank-details');
      assert.equal(calls[0]!.body.parameters.iban, 'DE89370400440532013000');
      assert.equal(calls[0]!.body.contractId, 'C-100');
      const out = (await conversations(t, id)).filter((c) => c.direction === 'out');
      assert.match(out[0].body, /Guten Tag Anna Schmidt/);
      const tk = await ticket(t, id);
      assert.equal(tk.contractId, 'C-100');
      assert.equal(tk.customerId, 'K-1');
      const customer = (await t.call('GET', `/api/mind/customer/byTicketId/${id}`)).json();
      assert.equal(customer.customer.id, 'K-1');
      assert.equal(customer.legitimation, 20);
    });

    it('a sender who cannot be legitimated is not auto-answered: recognised by the contract number from another address (10)', async () => {
      cs.customers.push({ customer: { id: 'K-2', firstName: 'Bernd', lastName: 'Bauer', email: 'bernd.bauer@example.de' }, contract: { id: 'C-200', number: 'V200200' } });
      const before = cs.actions().length;
      const id = await mail(t, '<p>Guten Tag, zu Vertragsnummer V200200: meine neue IBAN ist DE89 3704 0044 0532 0130 00.</p>', 'Neue Bankverbindung', { from: 'someone@elsewhere.example' });
      const intent = (await intentsOf(t, id)).intents.find((i: any) => i.code === 'ai_agent_bank_details_change');
      assert.ok(intent);
      assert.notEqual(intent.status, 'executed');
      assert.ok(intent.infos.some((i: any) => i.type === 'danger' && /not legitimated/.test(i.message)), JSON.stringify(intent.infos));
      assert.equal(cs.actions().length, before, 'nothing called');
      assert.equal((await conversations(t, id)).filter((c) => c.direction === 'out').length, 0);
      assert.equal((await t.call('GET', `/api/mind/customer/byTicketId/${id}`)).json().legitimation, 10);
    });

    it('stats: open tickets by intent, and the automation rate per agent and per day', async () => {
      await mail(t, '<p>Guten Tag, mein Zählerstand ist 56789 kWh.</p>');
      await mail(t, '<p>Hallo, ich möchte meinen Zählerstand melden. Wie geht das?</p>');
      const res = await t.call('GET', '/api/mind/ticket/stats');
      assert.equal(res.statusCode, 200, res.body);
      const s = res.json();
      assert.ok(s.openTicketsByIntent.find((r: any) => r.code === METER).openTickets >= 1, 'the open one');
      const meter = s.automation.perAgent.find((r: any) => r.code === METER);
      assert.ok(meter.automated >= 1 && meter.detected > meter.automated, JSON.stringify(meter));
      assert.equal(meter.automationRate, Math.round((meter.automated / meter.detected) * 1000) / 1000);
      assert.ok(s.automation.perDay.some((d: any) => d.automated >= 1 && /^\d{4}-\d{2}-\d{2}$/.test(d.day)), JSON.stringify(s.automation.perDay));
    });

    it('a refusing customer system: the ticket goes back to a person and the manual autoexecute answers 207', async () => {
      cs.answer = () => ({ status: 200, body: { accepted: false, reason: 'meter unknown' } });
      try {
        const id = await mail(t, '<p>Hallo, mein Zählerstand: 45678 kWh</p>');
        const intent = (await intentsOf(t, id)).intents.find((i: any) => i.code === METER);
        assert.equal(intent.status, 'executed', JSON.stringify(intent));
        assert.equal(intent.outcome.success, false);
        const tk = await ticket(t, id);
        assert.equal(tk.status, 'pending');
        assert.notEqual(tk.aiSupportLevel, 'automated');
        const again = await t.call('POST', `/api/mind/intent/${intent.id}/execute`, {});
        assert.equal(again.statusCode, 207, again.body);
      } finally {
        cs.answer = () => ({ status: 200, body: { accepted: true, readingId: 'R-1' } });
      }
    });
  });
}

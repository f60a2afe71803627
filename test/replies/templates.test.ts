import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { SmtpSink } from '../helpers/smtpSink.js';
import { drain, mailboxOn, parse, reply, ticketOn } from './helpers.js';

describeEachDb('reply templates', (app) => {
  it('a reply names a template: body and subject in the ticket\'s language, placeholders from the ticket and data, HTML-escaped; mailed like any reply', async () => {
    const t = app();
    const sink = await SmtpSink.start();
    try {
      const created = await t.call('POST', '/api/mind/template', {
        name: 'zaehlerstand-erfasst',
        subject: { de: 'Ihr Zählerstand {{meterValue}} kWh', en: 'Your meter reading {{meterValue}} kWh' },
        body: { de: '<p>Guten Tag {{customer.name}},</p><p>Ihr Zählerstand {{meterValue}} kWh zu Ticket {{ticket.id}} ist erfasst. {{note}}</p>', en: '<p>Hello {{customer.name}}, reading {{meterValue}} kWh noted.</p>' },
      });
      assert.equal(created.statusCode, 200, created.body);
      const id = created.json().template.id as number;
      assert.equal((await t.call('GET', '/api/mind/template')).json().templates.length >= 1, true);

      const ticketId = await ticketOn(t, await mailboxOn(t, sink));
      const res = await reply(t, ticketId, { template: { id, data: { meterValue: 12345.6, note: '<script>x</script>' } } });
      assert.equal(res.statusCode, 200, res.body);
      const c = res.json().conversation;
      assert.equal(c.body, `<p>Guten Tag Karl Kunde,</p><p>Ihr Zählerstand 12.345,6 kWh zu Ticket ${ticketId} ist erfasst. &lt;script&gt;x&lt;/script&gt;</p>`);
      assert.equal(c.subject, `Ihr Zählerstand 12.345,6 kWh [#${ticketId}]`);
      await drain(t);
      const mail = await parse(sink.accepted.at(-1)!.raw);
      assert.equal(mail.subject, `Ihr Zählerstand 12.345,6 kWh [#${ticketId}]`);
      assert.match(mail.text ?? '', /Ihr Zählerstand 12\.345,6 kWh/);

      // Enneo's spelling, English on request; a placeholder without a value is a 422 naming it.
      const en = await reply(t, ticketId, { templateId: id, templateData: { meterValue: 7 }, isDraft: true });
      assert.equal(en.statusCode, 422, en.body);
      assert.equal(en.json().error.field, 'template.data');
      assert.match(en.json().error.message, /\{\{note\}\}/);
      const english = await reply(t, ticketId, { template: { id, data: { meterValue: 7 }, language: 'en' }, isDraft: true });
      assert.equal(english.statusCode, 200, english.body);
      assert.equal(english.json().conversation.body, '<p>Hello Karl Kunde, reading 7 kWh noted.</p>');

      assert.equal((await t.call('POST', '/api/mind/template', { name: 'zaehlerstand-erfasst', body: 'x' })).statusCode, 409);
      assert.equal((await t.call('POST', '/api/mind/template', { name: 'leer' })).statusCode, 422);
      assert.equal((await t.call('PATCH', `/api/mind/template/${id}`, { name: 'neu' })).json().template.name, 'neu');
      assert.equal((await t.call('DELETE', `/api/mind/template/${id}`)).statusCode, 200);
      assert.equal((await t.call('GET', `/api/mind/template/${id}`)).statusCode, 404);
    } finally {
      await sink.close();
    }
  });
}, { SMTP_RETRY_BASE_MS: '0' });

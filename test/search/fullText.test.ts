import { it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, type TestApp } from '../helpers/app.js';

// Full text over every message of a ticket, through POST /ticket/search, on both databases.

/** A word no other test writes (letters only, so it is stemmed and prefix-matched like any word). */
function uniqueWord(): string {
  const letters = 'bcdfghjklmpqrtvwxz';
  return 'qx' + [...crypto.randomBytes(8)].map((b) => letters[b % letters.length]).join('');
}

async function search(t: TestApp, body: Record<string, unknown>) {
  const res = await t.call('POST', '/api/mind/ticket/search', body);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { tickets: Array<{ id: number; relevance?: number; tags: unknown[]; intents: unknown[] }>; total: number; limit: number };
}

async function store(t: TestApp, ticketId: number, body: Record<string, unknown>) {
  const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store?process=false`, { direction: 'in', from: 'kunde@example.de', ...body });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().conversation.id as number;
}

describeEachDb('full-text search', (app) => {
  it('finds a ticket by a word only in its second message, with q in the body and as Enneo filter', async () => {
    const t = app();
    const word = uniqueWord();
    const id = await createTicket(t, { subject: 'Abschlag', body: '<p>Erste Nachricht ohne das Wort</p>' });
    assert.equal((await search(t, { q: word })).total, 0);
    await store(t, id, { body: `<p>Zweite Nachricht: ${word} bitte prüfen</p>` });
    const byBody = await search(t, { q: word });
    assert.deepEqual(byBody.tickets.map((r) => r.id), [id]);
    const byFilter = await search(t, { filters: [{ key: 'q', value: word }] });
    assert.deepEqual(byFilter.tickets.map((r) => r.id), [id]);
    // The same word in upper case and with punctuation around it.
    assert.deepEqual((await search(t, { q: `"${word.toUpperCase()}!"` })).tickets.map((r) => r.id), [id]);
  });

  it('every word must occur in the ticket, but not in the same message', async () => {
    const t = app();
    const [a, b] = [uniqueWord(), uniqueWord()];
    const both = await createTicket(t, { subject: `Betreff ${a}`, body: '<p>Hallo</p>' });
    await store(t, both, { body: `<p>Noch etwas: ${b}</p>` });
    const onlyA = await createTicket(t, { subject: 'x', body: `<p>${a}</p>` });
    assert.deepEqual((await search(t, { q: `${a} ${b}` })).tickets.map((r) => r.id), [both]);
    assert.deepEqual((await search(t, { q: a, orderByField: 't.id', orderByDirection: 'asc' })).tickets.map((r) => r.id), [both, onlyA]);
  });

  it('German inflection: Zählerstand finds Zählerstände and back, umlauts fold, the subject and summary count', async () => {
    const t = app();
    const tag = uniqueWord();
    const plural = await createTicket(t, { subject: tag, body: '<p>Anbei meine Zählerstände vom Januar.</p>' });
    const singular = await createTicket(t, { subject: tag, body: '<p>Mein ZÄHLERSTAND ist 12.345,6 kWh.</p>' });
    const asc = { orderByField: 't.id', orderByDirection: 'asc' };
    assert.deepEqual((await search(t, { ...asc, q: `${tag} Zählerstand` })).tickets.map((r) => r.id), [plural, singular]);
    assert.deepEqual((await search(t, { ...asc, q: `${tag} Zählerstände` })).tickets.map((r) => r.id), [plural, singular]);
    assert.deepEqual((await search(t, { ...asc, q: `${tag} zaehlerstand` })).tickets.map((r) => r.id), [], 'ae is not read as ä');
    assert.deepEqual((await search(t, { ...asc, q: `${tag} zahlerstande` })).tickets.map((r) => r.id), [plural, singular], 'folded spelling');
    // A decimal number is its words: 12.345,6 is found by 345.
    assert.deepEqual((await search(t, { ...asc, q: `${tag} 345` })).tickets.map((r) => r.id), [singular]);
    // English plural.
    const en = await createTicket(t, { subject: tag, body: '<p>Please find the meter readings attached.</p>' });
    assert.deepEqual((await search(t, { q: `${tag} reading` })).tickets.map((r) => r.id), [en]);
    assert.deepEqual((await search(t, { q: `${tag} meters` })).tickets.map((r) => r.id), [en]);
  });

  it('a query full of FTS syntax is 200 (or a 400 naming q), never a 500', async () => {
    const t = app();
    const word = uniqueWord();
    const id = await createTicket(t, { subject: 'syntax', body: `<p>${word} near the end</p>` });
    const hostile = [
      '"', '""', '"*', '*', '**', 'NEAR(', 'NEAR(a b', `NEAR(${word}`, '-', '--', ':', 'a:b', 'subject:x', '^', '(', ')', 'AND', 'OR NOT',
      `${word}*`, `"${word}" OR`, `${word} -x`, '\'', '\\', '&|!', "' or 1=1 --", ':*', 'a:*', '!!!', '<->', '\u0301', 'ª', '𝔘𝔫𝔦', '0', '00000000000000000000',
      'x'.repeat(500), `${'é'.repeat(200)}`, '%_%', '{col}: x',
    ];
    for (const q of hostile) {
      for (const body of [{ q }, { filters: [{ key: 'q', value: q }] }]) {
        const res = await t.call('POST', '/api/mind/ticket/search', body);
        assert.ok(res.statusCode === 200 || (res.statusCode === 400 && /q/.test(res.json().error.field)), `${JSON.stringify(body)}: ${res.statusCode} ${res.body}`);
      }
    }
    assert.deepEqual((await search(t, { q: `NEAR(${word}` })).tickets.map((r) => r.id), [id]);
    assert.deepEqual((await search(t, { q: `"${word}" OR` })).tickets.map((r) => r.id), [], 'OR is a word, not an operator');
    const tooLong = await t.call('POST', '/api/mind/ticket/search', { filters: [{ key: 'q', value: 'x'.repeat(501) }] });
    assert.equal(tooLong.statusCode, 400, tooLong.body);
    assert.equal(tooLong.json().error.field, 'filters[0].value');
    const tooMany = await t.call('POST', '/api/mind/ticket/search', { q: Array.from({ length: 17 }, (_, i) => `wort${String.fromCharCode(97 + i)}`).join(' ') });
    assert.equal(tooMany.statusCode, 400, tooMany.body);
    assert.equal(tooMany.json().error.field, 'q');
  });

  it('orders by relevance: more and better-placed hits first; relevance needs q', async () => {
    const t = app();
    const word = uniqueWord();
    const tag = uniqueWord();
    const weak = await createTicket(t, { subject: tag, body: `<p>${'Lorem ipsum dolor sit amet. '.repeat(40)} ${word}</p>` });
    const strong = await createTicket(t, { subject: `${tag} ${word}`, body: `<p>${word} ${word}</p>` });
    const res = await search(t, { q: `${tag} ${word}`, orderByField: 'relevance', orderByDirection: 'desc' });
    assert.deepEqual(res.tickets.map((r) => r.id), [strong, weak]);
    assert.ok(res.tickets[0]!.relevance! > res.tickets[1]!.relevance!);
    const asc = await search(t, { q: `${tag} ${word}`, orderByField: 'relevance', orderByDirection: 'asc' });
    assert.deepEqual(asc.tickets.map((r) => r.id), [weak, strong]);
    const without = await t.call('POST', '/api/mind/ticket/search', { orderByField: 'relevance' });
    assert.equal(without.statusCode, 400, without.body);
    assert.equal(without.json().error.field, 'orderByField');
  });

  it('a number also matches the ticket id, contract and customer ids', async () => {
    const t = app();
    const n = String(700000000 + crypto.randomInt(99999999));
    const byContract = await createTicket(t, { subject: 'Vertrag', body: '<p>ohne Nummer</p>', contractId: n });
    const byCustomer = await createTicket(t, { subject: 'Kunde', body: '<p>ohne Nummer</p>', customerId: `K-${n}` });
    const byText = await createTicket(t, { subject: 'Text', body: `<p>Vertragsnummer ${n}</p>` });
    const asc = { orderByField: 't.id', orderByDirection: 'asc' };
    assert.deepEqual((await search(t, { ...asc, q: n })).tickets.map((r) => r.id), [byContract, byText]);
    assert.deepEqual((await search(t, { ...asc, q: `K-${n}` })).tickets.map((r) => r.id), [byCustomer]);
    assert.deepEqual((await search(t, { q: String(byText) })).tickets.map((r) => r.id).includes(byText), true);
  });

  it('the index follows edits and deletions made in SQL by any writer (triggers)', async () => {
    const t = app();
    const [old, neu, summary] = [uniqueWord(), uniqueWord(), uniqueWord()];
    const id = await createTicket(t, { subject: 'edit', body: `<p>${old}</p>` });
    const k = t.ctx.db.kysely;
    await k.updateTable('conversations').set({ body_plain: neu }).where('ticket_id', '=', id).execute();
    await k.updateTable('tickets').set({ summary: `AI summary ${summary}` }).where('id', '=', id).execute();
    assert.equal((await search(t, { q: old })).total, 0);
    assert.deepEqual((await search(t, { q: neu })).tickets.map((r) => r.id), [id]);
    assert.deepEqual((await search(t, { q: summary })).tickets.map((r) => r.id), [id]);
    await k.deleteFrom('tickets').where('id', '=', id).execute();
    assert.equal((await search(t, { q: neu })).total, 0);
    assert.equal((await search(t, { q: summary })).total, 0);
  });

  it('a write rolled back alone in a shared commit leaves nothing in the index', async () => {
    const t = app();
    const [kept, dropped] = [uniqueWord(), uniqueWord()];
    const id = await createTicket(t, { subject: 'rollback', body: '<p>x</p>' });
    const db = t.ctx.db;
    const message = (body: string) => ({ ticket_id: id, type: 'text', direction: 'in', private: 0, is_draft: 0, sender: '{}', to_emails: '[]', cc_emails: '[]', bcc_emails: '[]', body, body_plain: body, body_clean: body, content: '{}', intent_codes: '[]', process: 'false', created_at: 1, modified_at: 1 });
    // Queued in one turn: on SQLite one commit, the failing unit in a savepoint of its own.
    const results = await Promise.allSettled([
      db.writeTransaction((trx) => trx.insertInto('conversations').values(message(kept)).execute()),
      db.writeTransaction(async (trx) => {
        await trx.insertInto('conversations').values(message(dropped)).execute();
        throw new Error('refused after the insert');
      }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected']);
    assert.deepEqual((await search(t, { q: kept })).tickets.map((r) => r.id), [id]);
    assert.equal((await search(t, { q: dropped })).total, 0);
  });

  it('rows carry tags with names and intents; limit defaults to 100 and is capped at 500', async () => {
    const t = app();
    const word = uniqueWord();
    const tag = (await t.call('POST', '/api/mind/tag', { name: `vip-${word}` })).json().id as number;
    const id = await createTicket(t, { subject: word, body: '<p>x</p>', tags: [tag] });
    const row = (await search(t, { q: word })).tickets[0] as unknown as { id: number; tags: Array<{ id: number; name: string }>; tagIds: number[]; intents: unknown[]; spamStatus: unknown };
    assert.equal(row.id, id);
    assert.deepEqual(row.tags.map((g) => [g.id, g.name]), [[tag, `vip-${word}`]]);
    assert.deepEqual(row.tagIds, [tag]);
    assert.deepEqual(row.intents, []);
    assert.equal(row.spamStatus, null);
    assert.equal((await search(t, {})).limit, 100);
    const capped = await search(t, { limit: 100000 });
    assert.equal(capped.limit, 500);
    assert.ok(capped.tickets.length <= 500);
  });
});

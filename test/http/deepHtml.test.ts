import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket } from '../helpers/app.js';
import { MAX_HTML_DEPTH, renderHtmlBodies } from '../../src/conversations/renderHtmlBodies.js';

// Issue 11 item 3 at twice the reported size: 60,000 nested elements. htmlparser2's own stack
// made this quadratic; past MAX_HTML_DEPTH the rest is read as text, so the store answers.
const DEPTH = 60_000;
const deepHtml = '<p>Hallo,</p>' + '<div>'.repeat(DEPTH) + 'mein Z&auml;hlerstand ist 4711.' + '</div>'.repeat(DEPTH);

describeEachDb('store with HTML nested 60,000 deep', (app) => {
  it('answers 200 with the text, and a concurrent ordinary store answers too', async () => {
    const t = app();
    assert.ok(renderHtmlBodies(deepHtml).capped, 'the depth cap is what this test exercises');
    assert.ok(DEPTH > 2 * MAX_HTML_DEPTH);
    const ticketId = await createTicket(t);
    const store = (body: string) => t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'false', type: 'html', body });
    const [deep, normal] = await Promise.all([store(deepHtml), store('<p>Bitte Abschlag anpassen.</p>')]);
    assert.equal(deep.statusCode, 200, deep.body.slice(0, 500));
    assert.equal(normal.statusCode, 200, normal.body.slice(0, 500));
    const conv = deep.json().conversation;
    assert.equal(conv.bodyPlain, 'Hallo,\n\nmein Zählerstand ist 4711.');
    assert.equal(conv.bodyClean, 'Hallo,\n\nmein Zählerstand ist 4711.');
    assert.equal(normal.json().conversation.bodyClean, 'Bitte Abschlag anpassen.');
    const read = await t.call('GET', `/api/mind/ticket/${ticketId}/conversation/${conv.id}`);
    assert.equal(read.json().conversation.bodyClean, conv.bodyClean);
  });
});

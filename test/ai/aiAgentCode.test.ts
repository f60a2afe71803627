import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';

// Issue 17 item 6: the AI-agent `code` rule refuses `?` and upper-case letters; the 422 says so,
// naming the field, and the OpenAPI schema documents the rule where a client reads it.
describeEachDb('AI-agent code rule', (app) => {
  const agent = (code: string) => ({ code, name: { de: 'Testanliegen', en: 'Test request' }, examples: { en: ['a test request'] } });

  for (const [code, why] of [['ai_agent_Meter', 'upper case'], ['ai_agent_what?', '?'], ['ai agent', 'spaces']] as const) {
    it(`refuses ${JSON.stringify(code)} with a 422 that names the field and the rule (${why})`, async () => {
      const res = await app().call('POST', '/api/mind/aiAgent', agent(code));
      assert.equal(res.statusCode, 422, res.body);
      const error = (res.json() as { error: { field?: string; message: string } }).error;
      assert.equal(error.field, 'code');
      assert.ok(error.message.includes('lower-case') && error.message.includes(why), error.message);
    });
  }

  it('accepts a code that follows the rule', async () => {
    const res = await app().call('POST', '/api/mind/aiAgent', agent('ai_agent_rule_test_2'));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as { aiAgent: { code: string } }).aiAgent.code, 'ai_agent_rule_test_2');
  });

  it('documents the rule in the OpenAPI schema of POST /api/mind/aiAgent', async () => {
    const doc = (await app().call('GET', '/docs/json')).json() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { description?: string }> } }> } }>> };
    const schema = doc.paths['/api/mind/aiAgent']?.post?.requestBody?.content['application/json']?.schema;
    const description = schema?.properties.code?.description ?? '';
    for (const part of ['lower-case', 'upper case', '?']) assert.ok(description.includes(part), `code description names "${part}": ${description}`);
  });
});

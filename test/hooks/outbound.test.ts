import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { checkOutboundUrl, guardedLookup, outboundRequest, OutboundError, parseAllowList } from '../../src/net/outbound.js';
import { Receiver } from './receiver.js';
import { waitFor } from '../helpers/app.js';

async function refusedKind(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof OutboundError, `expected OutboundError, got ${String(err)}`);
    return err.kind;
  }
  assert.fail('expected the request to fail');
}

describe('outbound requests: SSRF guard', () => {
  let a: Receiver; // 127.0.0.1, redirects to b
  let b: Receiver; // 127.0.0.2, the target a redirect must not reach unless allowed
  let c: Receiver; // 127.0.0.2, redirects to localhost (a name resolving to loopback) → d
  let d: Receiver; // 127.0.0.1
  before(async () => {
    b = await Receiver.start(() => ({ body: 'secret internal data' }), '127.0.0.2');
    a = await Receiver.start(() => ({ status: 302, headers: { location: b.url('/internal') } }), '127.0.0.1');
    d = await Receiver.start(() => ({ body: 'reached d' }), '127.0.0.1');
    c = await Receiver.start(() => ({ status: 307, headers: { location: `http://localhost:${d.port}/x` } }), '127.0.0.2');
  });
  after(async () => {
    await Promise.all([a, b, c, d].map((r) => r.close()));
  });

  it('refuses loopback, private, link-local, CGNAT and metadata addresses unless allow-listed', async () => {
    for (const url of ['http://127.0.0.1/', 'http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data', 'http://100.64.0.1/', 'http://192.168.1.1/',
      'http://[::1]/', 'http://[fe80::1]/', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0/', 'http://0x7f000001/', 'http://localhost/']) {
      assert.equal(await refusedKind(checkOutboundUrl(url)), 'refused', url);
    }
    assert.equal(await refusedKind(checkOutboundUrl('ftp://example.com/x')), 'refused');
    assert.equal(await refusedKind(checkOutboundUrl('not a url')), 'refused');
    await checkOutboundUrl('http://127.0.0.1:9/', parseAllowList('127.0.0.0/8'));
    await checkOutboundUrl('http://localhost:9/', parseAllowList('LOCALHOST'));
    await checkOutboundUrl('http://10.1.2.3/', parseAllowList('example.org, 10.0.0.0/8'));
    await checkOutboundUrl('http://93.184.215.14/');
    assert.throws(() => parseAllowList('10.0.0.0/99'), /OUTBOUND_ALLOW_HOSTS/);
    assert.throws(() => parseAllowList('http://x/'), /OUTBOUND_ALLOW_HOSTS/);
  });

  it('refuses IPv4-compatible IPv6 (::/96), NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and IPv4-mapped, whatever they embed', async () => {
    for (const url of ['http://[::7f00:1]/', 'http://[::a00:1]/', 'http://[::808:808]/', 'http://[::]/', 'http://[64:ff9b:1::7f00:1]/', 'http://[64:ff9b:1:ffff::1]/',
      'http://[64:ff9b::a00:1]/', 'http://[64:ff9b::808:808]/', 'http://[::ffff:10.0.0.1]/', 'http://[::ffff:8.8.8.8]/']) {
      assert.equal(await refusedKind(checkOutboundUrl(url)), 'refused', url);
      assert.equal(await refusedKind(outboundRequest(url, { timeoutMs: 2000 })), 'refused', `${url} at request time`);
    }
    // Neighbours of the refused prefixes stay reachable in principle.
    await checkOutboundUrl('http://[2606:4700::1111]/');
    await checkOutboundUrl('http://[64:ff9b:2::1]/');
    await checkOutboundUrl('http://8.8.8.8/');
  });

  it('the connect-time lookup applies the same rule to what a name resolves to', async () => {
    const lookup = (host: string, allowed = false) => new Promise<unknown>((resolve, reject) => {
      guardedLookup(parseAllowList(''), allowed)(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
    });
    // dns.lookup resolves a literal to itself: the address a rebinding name could return.
    for (const host of ['::7f00:1', '64:ff9b:1::a00:1', '::ffff:127.0.0.1', 'localhost']) {
      assert.equal(await refusedKind(lookup(host)), 'refused', host);
    }
    assert.deepEqual(await lookup('::7f00:1', true), [{ address: '::7f00:1', family: 6 }], 'an allow-listed host name may resolve anywhere');
    assert.deepEqual(await lookup('8.8.8.8'), [{ address: '8.8.8.8', family: 4 }]);
  });

  it('refuses a connection to a loopback address at request time', async () => {
    assert.equal(await refusedKind(outboundRequest(d.url('/'))), 'refused');
    assert.equal(d.received.length, 0);
  });

  it('checks every redirect hop: a redirect from an allowed host into a non-allowed address is refused', async () => {
    assert.equal(await refusedKind(outboundRequest(a.url('/start'), { allow: parseAllowList('127.0.0.1') })), 'refused');
    assert.equal(a.received.length, 1, 'the first hop was made');
    assert.equal(b.received.length, 0, 'the redirect target was never contacted');

    const ok = await outboundRequest(a.url('/start'), { allow: parseAllowList('127.0.0.1,127.0.0.2') });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.toString(), 'secret internal data');
    assert.equal(ok.redirects, 1);
    assert.equal(ok.url, b.url('/internal'));
    assert.equal(b.received.length, 1);
  });

  it('checks the address a redirect host name resolves to (the agent, after DNS)', async () => {
    assert.equal(await refusedKind(outboundRequest(c.url('/start'), { allow: parseAllowList('127.0.0.2') })), 'refused');
    assert.equal(c.received.length, 1);
    assert.equal(d.received.length, 0, 'localhost was refused after resolution');

    const ok = await outboundRequest(c.url('/start'), { method: 'POST', body: 'kept by 307', allow: parseAllowList('127.0.0.2,localhost') });
    assert.equal(ok.body.toString(), 'reached d');
    assert.equal(d.received.at(-1)?.method, 'POST');
    assert.equal(d.received.at(-1)?.body, 'kept by 307');
  });

  it('bounds redirects, time and size', async () => {
    const allow = parseAllowList('127.0.0.1');
    const loop = await Receiver.start(() => ({ status: 301, headers: { location: '/again' } }));
    const slow = await Receiver.start(() => ({ delayMs: 'hang' }));
    const big = await Receiver.start(() => ({ body: Buffer.alloc(5000, 120) }));
    const seeOther = await Receiver.start((n) => (n === 0 ? { status: 303, headers: { location: '/result' } } : { body: 'done' }));
    try {
      assert.equal(await refusedKind(outboundRequest(loop.url('/'), { allow })), 'tooManyRedirects');
      assert.equal(loop.received.length, 6, 'the first request and five redirects');

      // The receiver never answers: the timeout rejects and closes the connection, not only the promise.
      assert.equal(await refusedKind(outboundRequest(slow.url('/'), { allow, timeoutMs: 300 })), 'timeout');
      assert.equal(slow.received.length, 1);
      await waitFor(async () => slow.open === 0, 10_000, 'the timed-out request closed');

      assert.equal(await refusedKind(outboundRequest(big.url('/'), { allow, maxBytes: 1024 })), 'tooLarge');
      const cut = await outboundRequest(big.url('/'), { allow, maxBytes: 1024, truncate: true });
      assert.equal(cut.truncated, true);
      assert.equal(cut.body.length, 1024);

      const r = await outboundRequest(seeOther.url('/post'), { allow, method: 'POST', body: '{"a":1}', headers: { 'Content-Type': 'application/json' } });
      assert.equal(r.body.toString(), 'done');
      assert.equal(seeOther.received[1]?.method, 'GET', '303 continues as GET');
      assert.equal(seeOther.received[1]?.body, '');
    } finally {
      await Promise.all([loop, slow, big, seeOther].map((s) => s.close()));
    }
  });
});

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startApp, type TestApp } from '../helpers/app.js';

// The network edge, on a real listening server: connection limit, header and idle timeouts.
// Each test waits for the server to act (close, answer 408), never for a fixed time.

interface Conn { socket: net.Socket; data: string; closed: Promise<void> }

function connect(port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const conn: Conn = { socket, data: '', closed: new Promise((r) => socket.once('close', () => r())) };
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => { conn.data += d; });
    socket.on('error', () => {}); // a reset is one of the ways the server refuses
    socket.once('connect', () => resolve(conn));
    socket.once('error', reject);
  });
}

const whenData = (c: Conn, pattern: RegExp) => new Promise<void>((resolve) => {
  const check = () => { if (pattern.test(c.data)) { c.socket.off('data', check); resolve(); } };
  c.socket.on('data', check);
  check();
});

describe('server options: connection limit and timeouts', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await startApp('sqlite', { HTTP_MAX_CONNECTIONS: '2', HTTP_HEADERS_TIMEOUT_MS: '400', HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '300', HTTP_IDLE_TIMEOUT_MS: '60000' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(async () => { await t.close(); });

  it('closes a connection past HTTP_MAX_CONNECTIONS at once, without an answer', async () => {
    const held = [await connect(port), await connect(port)];
    // Both are served (so the server has accepted them) and kept open.
    for (const c of held) {
      c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
      await whenData(c, /\r\n\r\n\{"status":"ok"\}/);
    }
    const third = await connect(port);
    third.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await third.closed;
    assert.equal(third.data, '', 'the third connection got no answer');
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
  });

  it('answers 408 and closes when the headers do not arrive within HTTP_HEADERS_TIMEOUT_MS', async () => {
    const c = await connect(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // never finishes the headers
    await c.closed;
    assert.match(c.data, /^HTTP\/1\.1 408/);
  });

  it('closes an idle keep-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const c = await connect(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await whenData(c, /\{"status":"ok"\}/);
    await c.closed; // the server ends it; without the timeout this would wait for the 60 s idle limit
    assert.match(c.data, /^HTTP\/1\.1 200/);
  });
});

describe('X-Request-Id from the client is bounded in length and charset', () => {
  let t: TestApp;
  before(async () => { t = await startApp('sqlite'); });
  after(async () => { await t.close(); });

  it('adopts a short plain id, replaces a long or odd one with a generated UUID', async () => {
    const id = async (value: string) => (await t.app.inject({ url: '/healthz', headers: { 'x-request-id': value } })).headers['x-request-id'];
    assert.equal(await id('abc-42'), 'abc-42');
    assert.equal(await id('a'.repeat(128)), 'a'.repeat(128));
    for (const bad of ['a'.repeat(129), 'x y', '<script>', 'a"b', 'ü', 'a\tb', '']) {
      const got = await id(bad);
      assert.notEqual(got, bad);
      assert.match(String(got), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, `${JSON.stringify(bad)} → ${String(got)}`);
    }
    const none = (await t.app.inject({ url: '/healthz' })).headers['x-request-id'];
    assert.match(String(none), /^[0-9a-f-]{36}$/);
  });
});

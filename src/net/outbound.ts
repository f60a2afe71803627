import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import dns from 'node:dns/promises';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

// Outbound HTTP(S) to URLs that users give us (event hooks, attachment URLs). The address that is
// actually connected to is checked by request-filtering-agent after DNS resolution, so a name
// that resolves (or re-resolves, DNS rebinding) to a private address is refused at connect time.
// Redirects are followed here, one hop at a time, so that every hop passes the same guard.

export type OutboundErrorKind = 'refused' | 'timeout' | 'tooLarge' | 'tooManyRedirects' | 'network';

export class OutboundError extends Error {
  constructor(readonly kind: OutboundErrorKind, message: string, readonly url: string, readonly code?: string) {
    super(message);
    this.name = 'OutboundError';
  }
}

/** OUTBOUND_ALLOW_HOSTS parsed: host names (any address allowed) and IPs / CIDRs. */
export interface OutboundAllow {
  readonly hosts: ReadonlySet<string>;
  readonly addresses: readonly string[];
  readonly list: net.BlockList;
}

// Everything that is not plain public unicast: a superset of what request-filtering-agent (ipaddr.js
// "unicast") lets through, so the registration-time check never accepts what delivery would refuse.
const NOT_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible addresses (::7f00:1 is 127.0.0.1 to some
  // stacks); 64:ff9b::/96 and 64:ff9b:1::/48 are NAT64 prefixes that embed any IPv4 address.
  ['::', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) NOT_PUBLIC.addSubnet(prefix, bits, 'ipv6');

// Kept apart: BlockList also matches IPv4 addresses against ::ffff:0:0/96, so in NOT_PUBLIC this
// one rule would refuse every IPv4 address. IPv4-mapped IPv6 is refused as a whole, as the agent does.
const IPV4_MAPPED = new net.BlockList();
IPV4_MAPPED.addSubnet('::ffff:0:0', 96, 'ipv6');

const family = (ip: string) => (net.isIPv6(ip) ? 'ipv6' : 'ipv4');
const hostOf = (u: URL) => u.hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');

export function parseAllowList(spec: string): OutboundAllow {
  const hosts = new Set<string>();
  const addresses: string[] = [];
  const list = new net.BlockList();
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const entry = raw.toLowerCase().replace(/^\[|\]$/g, '');
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
    if (net.isIP(entry)) {
      addresses.push(entry);
      list.addAddress(entry, family(entry));
    } else if (cidr && net.isIP(cidr[1]!) && Number(cidr[2]) <= (net.isIPv6(cidr[1]!) ? 128 : 32)) {
      addresses.push(entry);
      list.addSubnet(cidr[1]!, Number(cidr[2]), family(cidr[1]!));
    } else if (/^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/.test(entry)) {
      hosts.add(entry.replace(/\.$/, ''));
    } else {
      throw new Error(`OUTBOUND_ALLOW_HOSTS: "${raw}" is not a host name, IP address or CIDR`);
    }
  }
  return { hosts, addresses, list };
}

const NO_ALLOW = parseAllowList('');

/** Why an address may not be contacted, or null when it may. */
function addressRefusal(ip: string, allow: OutboundAllow): string | null {
  if (allow.list.check(ip, family(ip))) return null;
  if (net.isIPv6(ip) && IPV4_MAPPED.check(ip, 'ipv6')) return `${ip} is an IPv4-mapped IPv6 address`;
  return NOT_PUBLIC.check(ip, family(ip)) ? `${ip} is a private, loopback, link-local or reserved address` : null;
}

/**
 * The DNS lookup every outbound connection uses: the addresses a name resolves to at connect time
 * pass the same rule as registration (addressRefusal). request-filtering-agent checks them too, but
 * by ipaddr.js ranges, which call ::/96 (IPv4-compatible) plain unicast.
 */
export function guardedLookup(allow: OutboundAllow, hostAllowed: boolean) {
  return (hostname: string, options: LookupOptions, cb: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, '');
      if (!hostAllowed) {
        for (const { address } of addresses) {
          const why = addressRefusal(address, allow);
          if (why) return cb(new OutboundError('refused', `${hostname} resolves to ${why}`, hostname), '');
        }
      }
      if (options.all) return cb(null, addresses);
      const first = addresses[0];
      if (!first) return cb(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      cb(null, first.address, first.family);
    });
  };
}

function parseTarget(url: string | URL, base?: URL): URL {
  let u: URL;
  try {
    u = new URL(url, base);
  } catch {
    throw new OutboundError('refused', 'not a valid absolute URL', String(url));
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OutboundError('refused', `only http and https URLs are allowed (got ${u.protocol})`, u.href);
  return u;
}

/** The checks that need no DNS: scheme, and a literal IP address in the URL. */
function checkLiteral(u: URL, allow: OutboundAllow): void {
  const host = hostOf(u);
  if (allow.hosts.has(host) || !net.isIP(host)) return;
  const why = addressRefusal(host, allow);
  if (why) throw new OutboundError('refused', why, u.href);
}

/**
 * Registration-time check: the URL is http(s) and its host (after DNS) is a public address or
 * allow-listed. Connect time checks again; this only gives an early, clear refusal.
 */
export async function checkOutboundUrl(url: string, allow: OutboundAllow = NO_ALLOW): Promise<URL> {
  const u = parseTarget(url);
  checkLiteral(u, allow);
  const host = hostOf(u);
  if (allow.hosts.has(host) || net.isIP(host)) return u;
  let found: { address: string }[];
  try {
    found = await dns.lookup(host, { all: true, verbatim: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') throw new OutboundError('refused', `host ${host} does not resolve`, u.href, code);
    return u; // transient resolver trouble: the connect-time guard still applies
  }
  for (const { address } of found) {
    const why = addressRefusal(address, allow);
    if (why) throw new OutboundError('refused', `${host} resolves to ${why}`, u.href);
  }
  return u;
}

export interface OutboundOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The whole exchange, redirects included. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  maxBytes?: number;
  /** Past maxBytes: return the first maxBytes (true) instead of failing with tooLarge. */
  truncate?: boolean;
  maxRedirects?: number;
  allow?: OutboundAllow;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
  redirects: number;
  truncated: boolean;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const EMPTY = Buffer.alloc(0);

export async function outboundRequest(url: string, opts: OutboundOptions = {}): Promise<OutboundResponse> {
  const allow = opts.allow ?? NO_ALLOW;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const hop: Hop = {
    deadline: Date.now() + timeoutMs,
    timeoutMs,
    connectTimeoutMs: Math.min(opts.connectTimeoutMs ?? 5_000, timeoutMs),
    maxBytes: opts.maxBytes ?? 10 * 1024 * 1024,
    truncate: opts.truncate ?? false,
    allow,
    method: (opts.method ?? 'GET').toUpperCase(),
    headers: { 'user-agent': 'ticketmind', ...lowerKeys(opts.headers ?? {}) },
    body: opts.body,
  };
  const maxRedirects = opts.maxRedirects ?? 5;
  let current = parseTarget(url);
  for (let redirects = 0; ; redirects++) {
    checkLiteral(current, allow);
    const res = await requestOnce(current, hop);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || !location) return { ...res, url: current.href, redirects };
    if (redirects >= maxRedirects) throw new OutboundError('tooManyRedirects', `more than ${maxRedirects} redirects`, current.href);
    const next = parseTarget(location, current);
    // As browsers do: 303 always, and 301/302 after a POST, continue as a GET without the body.
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && hop.method === 'POST')) {
      if (hop.method !== 'HEAD') hop.method = 'GET';
      hop.body = undefined;
      delete hop.headers['content-type'];
    }
    if (next.origin !== current.origin) {
      delete hop.headers.authorization;
      delete hop.headers.cookie;
    }
    current = next;
  }
}

interface Hop {
  deadline: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  maxBytes: number;
  truncate: boolean;
  allow: OutboundAllow;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

type HopResult = Omit<OutboundResponse, 'url' | 'redirects'>;

function requestOnce(u: URL, o: Hop): Promise<HopResult> {
  return new Promise((resolve, reject) => {
    const href = u.href;
    const remaining = o.deadline - Date.now();
    if (remaining <= 0) return reject(new OutboundError('timeout', `no answer within ${o.timeoutMs} ms`, href));
    const agentOptions = { keepAlive: false, allowPrivateIPAddress: o.allow.hosts.has(hostOf(u)), allowIPAddressList: [...o.allow.addresses] };
    const secure = u.protocol === 'https:';
    const agent = secure ? new RequestFilteringHttpsAgent(agentOptions) : new RequestFilteringHttpAgent(agentOptions);
    const headers = { ...o.headers, ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}) };
    const lookup = guardedLookup(o.allow, agentOptions.allowPrivateIPAddress);
    const req = (secure ? https : http).request(u, { method: o.method, headers, agent, lookup });
    let connectTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (err: Error | null, value?: HopResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadlineTimer);
      clearTimeout(connectTimer);
      agent.destroy();
      if (err) reject(toOutboundError(err, href));
      else resolve(value!);
    };
    // Settle first, then tear down: the teardown's own errors ("aborted") must not replace the reason.
    const abort = (err: OutboundError) => {
      finish(err);
      req.destroy();
    };
    const deadlineTimer = setTimeout(() => abort(new OutboundError('timeout', `no complete answer within ${o.timeoutMs} ms`, href)), remaining);
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(() => abort(new OutboundError('timeout', `could not connect within ${o.connectTimeoutMs} ms`, href)), o.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('error', (err) => finish(err));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status) && res.headers.location) {
        finish(null, { status, headers: res.headers, body: EMPTY, truncated: false });
        return res.destroy();
      }
      const tooLarge = () => new OutboundError('tooLarge', `response larger than ${o.maxBytes} bytes`, href);
      if (!o.truncate && Number(res.headers['content-length']) > o.maxBytes) {
        finish(tooLarge());
        return res.destroy();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        if (size + chunk.length > o.maxBytes) {
          if (!o.truncate) finish(tooLarge());
          else finish(null, { status, headers: res.headers, body: Buffer.concat([...chunks, chunk.subarray(0, o.maxBytes - size)]), truncated: true });
          return res.destroy();
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => finish(null, { status, headers: res.headers, body: Buffer.concat(chunks), truncated: false }));
      res.on('error', (err) => finish(err));
      res.on('close', () => {
        if (!res.complete) finish(new OutboundError('network', 'connection closed before the response ended', href, 'ECONNRESET'));
      });
    });
    req.end(o.body);
  });
}

function toOutboundError(err: Error, url: string): OutboundError {
  if (err instanceof OutboundError) return err;
  // request-filtering-agent refuses with a plain Error; its message is the only marker it gives.
  if (/^DNS lookup .* is not allowed/.test(err.message)) return new OutboundError('refused', err.message, url);
  const code = (err as { code?: string }).code;
  return new OutboundError('network', code ? `${code}: ${err.message}` : err.message, url, code);
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

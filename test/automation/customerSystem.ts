import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyDelivery } from '../../src/events/hooks/signature.js';

// A local stand-in for the customer's system (CRM / billing): plain http on 127.0.0.1, records
// every request, answers what the test says, checks the signature like a real receiver would.
export interface Received { method: string; path: string; headers: http.IncomingHttpHeaders; body: any; signed: boolean }

export interface StubCustomer { customer: { id: string; firstName: string; lastName: string; email: string }; contract: { id: string; number: string } }

export class CustomerSystem {
  readonly received: Received[] = [];
  /** who POST /customers/lookup finds, by email or contract number */
  readonly customers: StubCustomer[] = [];
  /** the action calls (everything but lookups) */
  actions(): Received[] {
    return this.received.filter((r) => r.path !== '/customers/lookup');
  }
  lookups(): Received[] {
    return this.received.filter((r) => r.path === '/customers/lookup');
  }
  answer: (r: Received) => { status: number; body: unknown } = () => ({ status: 200, body: { accepted: true, readingId: 'R-1' } });
  private constructor(private readonly server: http.Server, readonly secret: string) {}

  static async start(secret: string): Promise<CustomerSystem> {
    const box: { self?: CustomerSystem } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const signed = verifyDelivery(secret, String(req.headers['x-ticketmind-signature'] ?? ''), Number(req.headers['x-ticketmind-timestamp']), raw);
        const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : null, signed };
        box.self!.received.push(r);
        const a = r.path === '/customers/lookup' ? box.self!.lookup(r.body) : box.self!.answer(r);
        res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    box.self = new CustomerSystem(server, secret);
    return box.self;
  }

  private lookup(q: { email?: string; contractNumber?: string }): { status: number; body: unknown } {
    const hit = this.customers.find((c) => (q.email && c.customer.email === q.email) || (q.contractNumber && c.contract.number === q.contractNumber));
    return hit ? { status: 200, body: hit } : { status: 404, body: { error: 'not found' } };
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((ok) => this.server.close(() => ok()));
  }
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A real HTTP receiver on a loopback address for hook and outbound tests. `respond` decides each
// answer (by 0-based request number); the default is 200.

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Delay before answering; 'hang' never answers. */
  delayMs?: number | 'hang';
  /** Answer only when this settles (a gate the test opens), instead of after a delay. */
  until?: Promise<unknown>;
}

export type Responder = (n: number, req: Received) => Answer;

export class Receiver {
  readonly received: Received[] = [];
  open = 0;
  maxOpen = 0;
  private sockets = new Set<import('node:net').Socket>();

  private constructor(private readonly server: http.Server, readonly host: string, readonly port: number) {}

  static async start(respond: Responder = () => ({}), host = '127.0.0.1', port = 0): Promise<Receiver> {
    // The handler needs the receiver that is only built once the server listens.
    const ref: { self?: Receiver } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = ref.self!;
        const got: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        const n = r.received.length;
        r.received.push(got);
        r.open++;
        r.maxOpen = Math.max(r.maxOpen, r.open);
        res.on('close', () => r.open--);
        const a = respond(n, got);
        if (a.delayMs === 'hang') return;
        const answer = () => {
          if (res.destroyed) return;
          res.writeHead(a.status ?? 200, a.headers ?? {});
          res.end(a.body ?? '');
        };
        if (a.until) void a.until.then(answer, answer);
        else setTimeout(answer, a.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const self = (ref.self = new Receiver(server, host, (server.address() as AddressInfo).port));
    server.on('connection', (s) => {
      ref.self!.sockets.add(s);
      s.on('close', () => ref.self!.sockets.delete(s));
    });
    return self;
  }

  url(path = '/hook'): string {
    return `http://${this.host}:${this.port}${path}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// Kept importable from here for the hook tests.
export { freePort } from '../helpers/freePort.js';

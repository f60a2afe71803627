import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import SQLite from 'better-sqlite3';

// The floor: the least a store endpoint can do — parse JSON and insert one row into SQLite
// with the same pragmas as the service. The full store path is compared against it.
const dir = process.argv[2]!;
fs.mkdirSync(dir, { recursive: true });
const db = new SQLite(path.join(dir, 'floor.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('create table if not exists messages (id integer primary key autoincrement, ticket_id integer, body text, created_at integer)');
const insert = db.prepare('insert into messages (ticket_id, body, created_at) values (?, ?, ?)');

const app = Fastify({ logger: false, bodyLimit: 25 * 1024 * 1024 });
app.post('/floor/:ticketId', async (request) => {
  const { body } = request.body as { body: string };
  const info = insert.run(Number((request.params as { ticketId: string }).ticketId), body, Math.floor(Date.now() / 1000));
  return { success: true, id: Number(info.lastInsertRowid) };
});
await app.listen({ port: Number(process.argv[3] ?? 0), host: '127.0.0.1' });
process.send?.({ port: (app.server.address() as { port: number }).port });

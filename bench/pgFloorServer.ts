import Fastify from 'fastify';
import pg from 'pg';

// The PostgreSQL floor: the least a store endpoint can do — parse JSON and insert one row with
// `INSERT … RETURNING id` through pg, on a pool as large as the service's (pg.Pool's 10). The
// table is made by the bench before the processes start (bench/postgres.ts).
const pool = new pg.Pool({ connectionString: process.argv[2]!, max: 10 });
const app = Fastify({ logger: false, bodyLimit: 25 * 1024 * 1024 });
app.post('/floor/:ticketId', async (request) => {
  const { body } = request.body as { body: string };
  const res = await pool.query<{ id: number }>('insert into messages (ticket_id, body, created_at) values ($1, $2, $3) returning id',
    [Number((request.params as { ticketId: string }).ticketId), body, Math.floor(Date.now() / 1000)]);
  return { success: true, id: Number(res.rows[0]!.id) };
});
app.addHook('onClose', () => pool.end());
await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ port: (app.server.address() as { port: number }).port });

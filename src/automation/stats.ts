import type { Db } from '../db/dialect.js';
import { nowSeconds } from '../time.js';

// GET /api/mind/ticket/stats: open tickets by intent and by tag, and the automation rate (intents
// dark-processed successfully / intents detected) per AI agent and per UTC day over `days` days.

export async function ticketStats(db: Db, days = 30) {
  const k = db.kysely;
  const byIntent = await k.selectFrom('ticket_intents as ti').innerJoin('tickets as t', 't.id', 'ti.ticket_id')
    .select(['ti.code', (eb) => eb.fn.count<number>('ti.ticket_id').distinct().as('n')])
    .where('t.status', '!=', 'closed').where('t.deleted_at', 'is', null).where('ti.status', '!=', 'invalidated')
    .groupBy('ti.code').orderBy('ti.code').execute();
  const byTag = await k.selectFrom('ticket_tags as tt').innerJoin('tickets as t', 't.id', 'tt.ticket_id').innerJoin('tags as g', 'g.id', 'tt.tag_id')
    .select(['g.id', 'g.name', (eb) => eb.fn.count<number>('tt.ticket_id').as('n')])
    .where('t.status', '!=', 'closed').where('t.deleted_at', 'is', null)
    .groupBy(['g.id', 'g.name']).orderBy('g.name').execute();
  const since = nowSeconds() - days * 86_400;
  const rows = await k.selectFrom('ticket_intents').select(['ai_agent_id', 'code', 'status', 'executed_by', 'outcome', 'created_at'])
    .where('created_at', '>=', since).where('status', '!=', 'invalidated').execute();
  const perAgent = new Map<string, { aiAgentId: number; code: string; detected: number; automated: number }>();
  const perDay = new Map<string, { day: string; detected: number; automated: number }>();
  for (const r of rows) {
    const automated = r.status === 'executed' && r.executed_by === null && r.outcome !== null && (JSON.parse(r.outcome) as { success?: boolean }).success === true;
    const a = perAgent.get(r.code) ?? { aiAgentId: r.ai_agent_id, code: r.code, detected: 0, automated: 0 };
    a.detected++;
    if (automated) a.automated++;
    perAgent.set(r.code, a);
    const day = new Date(r.created_at * 1000).toISOString().slice(0, 10);
    const d = perDay.get(day) ?? { day, detected: 0, automated: 0 };
    d.detected++;
    if (automated) d.automated++;
    perDay.set(day, d);
  }
  const rate = <T extends { detected: number; automated: number }>(x: T) => ({ ...x, automationRate: x.detected ? Math.round((x.automated / x.detected) * 1000) / 1000 : 0 });
  return {
    openTicketsByIntent: byIntent.map((r) => ({ code: r.code, openTickets: Number(r.n) })),
    openTicketsByTag: byTag.map((r) => ({ tagId: r.id, name: r.name, openTickets: Number(r.n) })),
    automation: {
      days,
      perAgent: [...perAgent.values()].sort((x, y) => x.code.localeCompare(y.code)).map(rate),
      perDay: [...perDay.values()].sort((x, y) => x.day.localeCompare(y.day)).map(rate),
    },
  };
}

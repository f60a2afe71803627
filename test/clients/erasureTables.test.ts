import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { INDEX_TABLES, LINKED_TABLES, TICKET_ID_TABLES } from '../../src/tickets/eraseTicket.js';
import { readSchema } from './schema.js';

// Fails when a migration adds a table with a ticket_id column that eraseTicket does not erase:
// add it to TICKET_ID_TABLES (or, for a table reached another way, to LINKED_TABLES with how).
describeEachDb('erasure covers every table with ticket data', (app) => {
  it('every table with a ticket_id column is in the erasure list, and every listed table exists', async () => {
    const schema = await readSchema(app());
    const withTicketId = schema.filter((s) => s.columns.some((c) => c.name === 'ticket_id')).map((s) => s.table).sort();
    const erased = new Set<string>([...TICKET_ID_TABLES, ...Object.keys(LINKED_TABLES)]);
    const indexed = new Set<string>(Object.keys(INDEX_TABLES));
    assert.deepEqual(withTicketId.filter((table) => !erased.has(table) && !indexed.has(table)), [], 'tables with ticket_id that src/tickets/eraseTicket.ts does not erase');
    const names = new Set(schema.map((s) => s.table));
    assert.deepEqual([...erased].filter((table) => !names.has(table)), [], 'listed tables that do not exist');
    assert.ok(withTicketId.length >= 6, `the introspection sees the tables: ${withTicketId.join(', ')}`);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { TestApp } from '../helpers/app.js';

// The live schema of a test app's database, read from the database itself (never from
// src/db/schema.ts), so a table added by any migration is seen.

export interface TableInfo {
  table: string;
  columns: Array<{ name: string; text: boolean }>;
}

export async function readSchema(t: TestApp): Promise<TableInfo[]> {
  const db = t.ctx.db.kysely;
  if (t.kind === 'postgres') {
    const rows = await sql<{ table_name: string; column_name: string; data_type: string }>`
      select table_name, column_name, data_type from information_schema.columns
      where table_schema = current_schema() order by table_name, ordinal_position`.execute(db);
    const map = new Map<string, TableInfo>();
    for (const r of rows.rows) {
      const info = map.get(r.table_name) ?? { table: r.table_name, columns: [] };
      info.columns.push({ name: r.column_name, text: /char|text|json/i.test(r.data_type) });
      map.set(r.table_name, info);
    }
    return [...map.values()];
  }
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db);
  const out: TableInfo[] = [];
  for (const { name } of tables.rows) {
    const cols = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${name})`.execute(db);
    out.push({ table: name, columns: cols.rows.map((c) => ({ name: c.name, text: c.type === '' || /char|text|clob|json/i.test(c.type) })) });
  }
  return out;
}

/** `table.column` of every text column holding `needle` somewhere in its value. */
export async function rowsHolding(t: TestApp, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const info of await readSchema(t)) {
    for (const col of info.columns.filter((c) => c.text)) {
      const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(info.table)} where ${sql.ref(col.name)} like ${`%${needle}%`}`.execute(t.ctx.db.kysely);
      if (Number(r.rows[0]?.n ?? 0) > 0) hits.push(`${info.table}.${col.name}`);
    }
  }
  return hits;
}

/** Blob files (attachment bytes) whose content holds `needle`. */
export function blobsHolding(t: TestApp, needle: string): string[] {
  const hits: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (fs.readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(path.join(t.dataDir, 'blobs'));
  return hits;
}

import type { Db } from '../db/dialect.js';
import { Invalid, NotFound } from '../errors.js';

export async function listTags(db: Db) {
  const rows = await db.kysely.selectFrom('tags').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, parentId: r.parent_id, color: r.color }));
}

export async function createTag(db: Db, b: { name: string; parentId?: number | null; color?: string | null }): Promise<number> {
  if (b.parentId != null) {
    const parent = await db.kysely.selectFrom('tags').select('id').where('id', '=', b.parentId).executeTakeFirst();
    if (!parent) throw new Invalid('parentId', `tag ${b.parentId} does not exist`, 'unknown_tag');
  }
  const row = await db.kysely
    .insertInto('tags')
    .values({ name: b.name, parent_id: b.parentId ?? null, color: b.color ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteTag(db: Db, id: number): Promise<void> {
  const res = await db.kysely.deleteFrom('tags').where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFound('tag', id, 'id');
}

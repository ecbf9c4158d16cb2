// ltijs's documents. Queries are flat equality objects matched with `doc @> $query`.
import { sql } from 'kysely';
import type { Executor } from './db.ts';

export interface LtiDocumentRow {
  doc: Record<string, unknown>;
  createdAt: Date;
}

/** Rows older than maxAgeSeconds are treated as gone, like ltijs's Mongo TTL indexes. */
export async function listLtiDocuments(
  ex: Executor,
  collection: string,
  query: Record<string, unknown>,
  maxAgeSeconds: number | undefined,
): Promise<LtiDocumentRow[]> {
  let q = ex
    .selectFrom('ltiDocuments')
    // As text: our Kysely's CamelCasePlugin would rename the snake_case keys inside the jsonb
    // (given_name, product_family_code…), and ltijs reads them back by their own names.
    .select([sql<string>`doc::text`.as('doc'), 'createdAt'])
    .where('collection', '=', collection)
    .where(sql<boolean>`doc @> ${JSON.stringify(query)}::jsonb`);
  if (maxAgeSeconds !== undefined) {
    q = q.where('createdAt', '>', sql<Date>`now() - make_interval(secs => ${maxAgeSeconds})`);
  }
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({ doc: JSON.parse(r.doc) as Record<string, unknown>, createdAt: r.createdAt }));
}

export async function insertLtiDocument(ex: Executor, collection: string, doc: Record<string, unknown>): Promise<void> {
  await ex.insertInto('ltiDocuments').values({ collection, doc: JSON.stringify(doc) }).execute();
}

/** Upsert by query: the matching rows go, the new document comes. Pass a transaction to make it atomic. */
export async function replaceLtiDocument(
  ex: Executor,
  collection: string,
  query: Record<string, unknown>,
  doc: Record<string, unknown>,
): Promise<void> {
  await deleteLtiDocuments(ex, collection, query);
  await insertLtiDocument(ex, collection, doc);
}

/** Shallow merge of `changes` into every matching document (Mongo's updateOne with plain fields). */
export async function updateLtiDocuments(
  ex: Executor,
  collection: string,
  query: Record<string, unknown>,
  changes: Record<string, unknown>,
): Promise<void> {
  await ex
    .updateTable('ltiDocuments')
    .set({ doc: sql`doc || ${JSON.stringify(changes)}::jsonb` as unknown as string })
    .where('collection', '=', collection)
    .where(sql<boolean>`doc @> ${JSON.stringify(query)}::jsonb`)
    .execute();
}

export async function deleteLtiDocuments(ex: Executor, collection: string, query: Record<string, unknown>): Promise<void> {
  await ex
    .deleteFrom('ltiDocuments')
    .where('collection', '=', collection)
    .where(sql<boolean>`doc @> ${JSON.stringify(query)}::jsonb`)
    .execute();
}

export async function deleteExpiredLtiDocuments(ex: Executor, collection: string, maxAgeSeconds: number): Promise<number> {
  const res = await ex
    .deleteFrom('ltiDocuments')
    .where('collection', '=', collection)
    .where('createdAt', '<', sql<Date>`now() - make_interval(secs => ${maxAgeSeconds})`)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

// Server-side drafts of posts refused before they reached the discussion. Scoped by tenant and person.
import { sql } from 'kysely';
import { prepareStatement, type Executor } from './db.ts';
import type { PendingAttachment } from './media.queries.ts';

export type DraftTarget = `space:${string}` | `thread:${string}`;

/**
 * Keeps a draft. An existing draft is replaced only when `replacing` names it (the time it was kept, as
 * the form that held it says): text from a page older than the kept draft never overwrites it.
 * False when nothing was written.
 */
export async function upsertPostDraft(
  ex: Executor,
  d: { tenantId: string; membershipId: string; target: DraftTarget; title: string; body: string },
  replacing: Date | undefined,
): Promise<boolean> {
  const result = await ex
    .insertInto('postDrafts')
    .values(d)
    .onConflict((c) =>
      replacing === undefined
        ? c.columns(['tenantId', 'membershipId', 'target']).doNothing()
        : c
            .columns(['tenantId', 'membershipId', 'target'])
            .doUpdateSet({ title: d.title, body: d.body, updatedAt: new Date() })
            .where(sql<boolean>`date_trunc('milliseconds', post_drafts.updated_at) <= ${replacing}`),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export interface KeptForm {
  draft: { title: string; body: string; updatedAt: Date } | undefined;
  pending: PendingAttachment[];
}

/**
 * What a person kept on one post form: the draft's text (if any, from `d`) and the files waiting on
 * the form (what listPendingAttachments gives, oldest first), as columns of a statement that reads
 * `FROM (SELECT) one ${join}` or joins it to its own one-row FROM. The space and thread pages read
 * both on every visit, the space page within its own statement (space-page.queries.ts).
 */
export function keptFormSql(tenantId: string, membershipId: string, target: DraftTarget) {
  return {
    // Named as read (camelCase): the thread page runs past the CamelCasePlugin (db.ts, executeAsNamed).
    columns: sql`d.title AS "keptTitle", d.body AS "keptBody", d.updated_at AS "keptAt",
      coalesce((SELECT json_agg(json_build_object('id', a.id, 'kind', a.kind, 'fileName', a.file_name, 'sizeBytes', a.size_bytes::text, 'contentType', a.content_type) ORDER BY a.created_at)
        FROM attachments a
        WHERE a.tenant_id = ${tenantId} AND a.membership_id = ${membershipId} AND a.draft_target = ${target} AND a.state = 'ready'), '[]'::json) AS pending`,
    join: sql`LEFT JOIN post_drafts d ON d.tenant_id = ${tenantId} AND d.membership_id = ${membershipId} AND d.target = ${target}`,
  };
}

/** The row of keptFormSql's columns. */
export interface KeptFormColumns {
  keptTitle: string | null;
  keptBody: string | null;
  keptAt: Date | null;
  pending: PendingAttachment[];
}

export function keptFormOf(row: KeptFormColumns): KeptForm {
  return { draft: row.keptAt === null ? undefined : { title: row.keptTitle!, body: row.keptBody!, updatedAt: row.keptAt }, pending: row.pending };
}

/** What a person kept on one post form, in one round trip. */
export async function findKeptForm(ex: Executor, tenantId: string, membershipId: string, target: DraftTarget): Promise<KeptForm> {
  const kept = keptFormSql(tenantId, membershipId, target);
  const query = sql<KeptFormColumns>`SELECT ${kept.columns} FROM (SELECT) one ${kept.join}`;
  const [row] = (await ex.executeQuery(prepareStatement(query.compile(ex)))).rows;
  return keptFormOf(row!);
}

export async function deletePostDraft(ex: Executor, tenantId: string, membershipId: string, target: DraftTarget): Promise<void> {
  await ex.deleteFrom('postDrafts').where('tenantId', '=', tenantId).where('membershipId', '=', membershipId).where('target', '=', target).execute();
}

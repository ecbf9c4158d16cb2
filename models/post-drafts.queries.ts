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

/**
 * What a person kept on one post form, in one round trip: the draft's text (if any) and the files
 * waiting on the form (what listPendingAttachments gives, oldest first). The space and thread pages
 * read both on every visit.
 */
export async function findKeptForm(ex: Executor, tenantId: string, membershipId: string, target: DraftTarget): Promise<{ draft: { title: string; body: string; updatedAt: Date } | undefined; pending: PendingAttachment[] }> {
  const query = sql<{ title: string | null; body: string | null; updatedAt: Date | null; pending: PendingAttachment[] }>`
    SELECT d.title, d.body, d.updated_at,
      coalesce((SELECT json_agg(json_build_object('id', a.id, 'kind', a.kind, 'fileName', a.file_name, 'sizeBytes', a.size_bytes::text, 'contentType', a.content_type) ORDER BY a.created_at)
        FROM attachments a
        WHERE a.tenant_id = ${tenantId} AND a.membership_id = ${membershipId} AND a.draft_target = ${target} AND a.state = 'ready'), '[]'::json) AS pending
    FROM (SELECT) one
    LEFT JOIN post_drafts d ON d.tenant_id = ${tenantId} AND d.membership_id = ${membershipId} AND d.target = ${target}`;
  const [row] = (await ex.executeQuery(prepareStatement(query.compile(ex)))).rows;
  const { title, body, updatedAt, pending } = row!;
  return { draft: updatedAt === null ? undefined : { title: title!, body: body!, updatedAt }, pending };
}

export async function deletePostDraft(ex: Executor, tenantId: string, membershipId: string, target: DraftTarget): Promise<void> {
  await ex.deleteFrom('postDrafts').where('tenantId', '=', tenantId).where('membershipId', '=', membershipId).where('target', '=', target).execute();
}

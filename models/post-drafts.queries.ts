// Server-side drafts of posts refused before they reached the discussion. Scoped by tenant and person.
import { sql } from 'kysely';
import { preparedQuery, type Executor } from './db.ts';

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

// Read by every space and thread page: built once (preparedQuery).
const findPostDraftQuery = preparedQuery((ex, p: { tenantId: string; membershipId: string; target: DraftTarget }) =>
  ex.selectFrom('postDrafts').select(['title', 'body', 'updatedAt']).where('tenantId', '=', p.tenantId).where('membershipId', '=', p.membershipId).where('target', '=', p.target),
);

export async function findPostDraft(ex: Executor, tenantId: string, membershipId: string, target: DraftTarget) {
  return (await findPostDraftQuery(ex, { tenantId, membershipId, target }))[0];
}

export async function deletePostDraft(ex: Executor, tenantId: string, membershipId: string, target: DraftTarget): Promise<void> {
  await ex.deleteFrom('postDrafts').where('tenantId', '=', tenantId).where('membershipId', '=', membershipId).where('target', '=', target).execute();
}

// Server-side drafts of posts refused before they reached the discussion. Scoped by tenant and person.
import type { Executor } from './db.ts';

export type DraftTarget = `space:${string}` | `thread:${string}`;

export async function upsertPostDraft(ex: Executor, d: { tenantId: string; membershipId: string; target: DraftTarget; title: string; body: string }): Promise<void> {
  await ex
    .insertInto('postDrafts')
    .values(d)
    .onConflict((c) => c.columns(['tenantId', 'membershipId', 'target']).doUpdateSet({ title: d.title, body: d.body, updatedAt: new Date() }))
    .execute();
}

export function findPostDraft(ex: Executor, tenantId: string, membershipId: string, target: DraftTarget) {
  return ex.selectFrom('postDrafts').select(['title', 'body']).where('tenantId', '=', tenantId).where('membershipId', '=', membershipId).where('target', '=', target).executeTakeFirst();
}

export async function deletePostDraft(ex: Executor, tenantId: string, membershipId: string, target: DraftTarget): Promise<void> {
  await ex.deleteFrom('postDrafts').where('tenantId', '=', tenantId).where('membershipId', '=', membershipId).where('target', '=', target).execute();
}

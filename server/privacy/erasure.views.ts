// View models for the erasure pages: what goes, what stays under the deployment's policy.
import type { PostsOnErasure } from '../../models/schema.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { I18n } from '../i18n/i18n.ts';
import { ADMIN_ERASE_PHRASE } from './erasure.service.ts';


export function ownEraseView(i18n: I18n, who: LaunchContext, policy: PostsOnErasure) {
  return {
    cohortId: who.cohortId,
    action: `/cohorts/${who.cohortId}/profile/erase`,
    cancelHref: `/cohorts/${who.cohortId}/profile`,
    phrase: i18n.t('privacy.erase.phrase'),
    keepsPosts: policy === 'keep',
  };
}

export function adminPersonEraseView(tenant: { id: string; deploymentId: string }, person: { id: string; name: string | null; email: string | null; sub: string }, policy: PostsOnErasure) {
  return {
    tenant,
    person: { name: person.name, email: person.email, sub: person.sub },
    action: `/admin/tenants/${tenant.id}/people/${person.id}/erase`,
    cancelHref: `/admin/tenants/${tenant.id}`,
    phrase: ADMIN_ERASE_PHRASE,
    // The policy's words are the template's (privacy.admin.policy).
    policy,
  };
}

export function adminTenantView(
  tenant: { id: string; deploymentId: string; platformId: string; platformName: string },
  policy: PostsOnErasure,
  search: string,
  people: Array<{ id: string; name: string | null; email: string | null; sub: string; cohorts: string | null }> | undefined,
  erasures: Array<{ id: string; requestedBy: string; postsPolicy: string; memberships: number; postsKept: number; postsDeleted: number; erasedAt: Date }>,
) {
  return {
    tenant,
    policies: (['keep', 'delete'] as const).map((value) => ({ value, selected: value === policy })),
    search,
    searched: people !== undefined,
    people: people?.map((p) => ({ name: p.name, email: p.email, sub: p.sub, cohorts: Number(p.cohorts ?? 0), eraseHref: `/admin/tenants/${tenant.id}/people/${p.id}/erase` })),
    erasures: erasures.map((e) => ({
      on: e.erasedAt,
      by: e.requestedBy === 'person' ? 'person' : 'admin',
      cohorts: e.memberships,
      kept: e.postsPolicy === 'keep',
      posts: e.postsPolicy === 'keep' ? e.postsKept : e.postsDeleted,
    })),
  };
}

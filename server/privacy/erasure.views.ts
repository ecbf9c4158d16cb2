// View models for the erasure pages: what goes, what stays under the deployment's policy.
import type { PostsOnErasure } from '../../models/schema.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { I18n } from '../i18n/i18n.ts';
import { ADMIN_ERASE_PHRASE } from './erasure.service.ts';

const POLICY = {
  keep: 'Posts and replies stay, with their text, under “A former participant”; the name goes, so others’ replies still make sense.',
  delete: 'Posts and replies show as deleted by their author, their text gone; others’ replies to them stay.',
} as const;

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

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
    person: { name: person.name ?? 'Name not shared', email: person.email, sub: person.sub },
    action: `/admin/tenants/${tenant.id}/people/${person.id}/erase`,
    cancelHref: `/admin/tenants/${tenant.id}`,
    phrase: ADMIN_ERASE_PHRASE,
    posts: POLICY[policy],
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
    policies: (['keep', 'delete'] as const).map((value) => ({ value, label: POLICY[value], selected: value === policy })),
    search,
    searched: people !== undefined,
    people: people?.map((p) => ({ name: p.name ?? 'Name not shared', email: p.email, sub: p.sub, cohorts: Number(p.cohorts ?? 0), eraseHref: `/admin/tenants/${tenant.id}/people/${p.id}/erase` })),
    erasures: erasures.map((e) => ({
      on: e.erasedAt.toISOString().slice(0, 16).replace('T', ' '),
      by: e.requestedBy === 'person' ? 'The person' : 'A tool admin',
      what: `${count(e.memberships, 'cohort')}; ${e.postsPolicy === 'keep' ? `${count(e.postsKept, 'post')} kept as a former participant’s` : `${count(e.postsDeleted, 'post')} deleted`}`,
    })),
  };
}

// In-app notifications. Every statement is scoped by tenant.
import { preparedQuery, type Executor } from './db.ts';

/** A mention, reply or kudos about one post, for each membership given (the caller picks who may see it). */
export async function insertPostNotifications(
  ex: Executor,
  n: { tenantId: string; kind: 'mention' | 'reply' | 'kudos'; actorMembershipId: string; threadId: string; postId: string; membershipIds: string[] },
): Promise<void> {
  if (n.membershipIds.length === 0) return;
  await ex
    .insertInto('notifications')
    .values(n.membershipIds.map((membershipId) => ({ tenantId: n.tenantId, membershipId, kind: n.kind, actorMembershipId: n.actorMembershipId, threadId: n.threadId, postId: n.postId })))
    .execute();
}

/**
 * A partner request or a partner's comment on a plan, for one membership. Marked as emailed: the
 * plan's own email (queued in the same transaction) already tells them, so the digest does not.
 */
export async function insertPlanNotification(ex: Executor, n: { tenantId: string; kind: 'partner-request' | 'plan-comment'; actorMembershipId: string; planId: string; membershipId: string }): Promise<void> {
  if (n.membershipId === n.actorMembershipId) return;
  await ex.insertInto('notifications').values({ ...n, emailedAt: new Date() }).execute();
}

/** A flag on a post, for each of the cohort's active facilitators. */
export async function insertFlagNotifications(ex: Executor, n: { tenantId: string; cohortId: string; actorMembershipId: string; threadId: string; postId: string }): Promise<void> {
  await ex
    .insertInto('notifications')
    .columns(['tenantId', 'membershipId', 'kind', 'actorMembershipId', 'threadId', 'postId'])
    .expression((eb) =>
      eb
        .selectFrom('memberships as m')
        .select([eb.val(n.tenantId).as('tenantId'), 'm.id', eb.val('flag').as('kind'), eb.val(n.actorMembershipId).as('actor'), eb.val(n.threadId).as('threadId'), eb.val(n.postId).as('postId')])
        .where('m.tenantId', '=', n.tenantId)
        .where('m.cohortId', '=', n.cohortId)
        .where('m.role', '=', 'facilitator')
        .where('m.status', '=', 'active'),
    )
    .execute();
}

// Built once (preparedQuery): the notifications page reads it on every visit.
const listNotificationsQuery = preparedQuery((ex, p: { tenantId: string; membershipId: string; limit: number }) =>
  ex
    .selectFrom('notifications as n')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'n.tenantId').onRef('m.id', '=', 'n.actorMembershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .leftJoin('threads as t', (j) => j.onRef('t.tenantId', '=', 'n.tenantId').onRef('t.id', '=', 'n.threadId'))
    .leftJoin('posts as po', (j) => j.onRef('po.tenantId', '=', 'n.tenantId').onRef('po.id', '=', 'n.postId'))
    .select(['n.id', 'n.kind', 'n.threadId', 'n.postId', 'n.planId', 'n.createdAt', 'n.readAt', 'p.name as actorName', 't.title as threadTitle'])
    .where('n.tenantId', '=', p.tenantId)
    .where('n.membershipId', '=', p.membershipId)
    // A mention, reply or kudos of a post hidden or removed since is not listed (flags are for
    // facilitators, who see those posts); a plan's notifications name no post.
    .where((eb) => eb.or([eb('po.status', '=', 'visible'), eb('n.kind', '=', 'flag'), eb('n.planId', 'is not', null)]))
    .orderBy('n.createdAt', 'desc')
    .limit(p.limit),
);

export function listNotifications(ex: Executor, tenantId: string, membershipId: string, limit = 50) {
  return listNotificationsQuery(ex, { tenantId, membershipId, limit });
}

export async function updateNotificationsRead(ex: Executor, tenantId: string, membershipId: string): Promise<void> {
  await ex.updateTable('notifications').set({ readAt: new Date() }).where('tenantId', '=', tenantId).where('membershipId', '=', membershipId).where('readAt', 'is', null).execute();
}

/** People (tenant, person) with notifications the digest has not covered yet, up to `before`. */
export function listDigestRecipients(ex: Executor, before: Date, limit: number) {
  return ex
    .selectFrom('notifications as n')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'n.tenantId').onRef('m.id', '=', 'n.membershipId'))
    .select(['n.tenantId', 'm.personId'])
    .distinct()
    .where('n.emailedAt', 'is', null)
    .where('n.readAt', 'is', null)
    .where('n.createdAt', '<=', before)
    .limit(limit)
    .execute();
}

/**
 * Marks the person's unread, un-emailed notifications (active memberships only) as emailed and
 * returns them for the digest. Rows another process is claiming are skipped, so two workers never
 * email the same notification; the caller's transaction undoes the claim if the email fails.
 */
export async function claimDigestNotifications(ex: Executor, tenantId: string, personId: string, before: Date) {
  const claimed = await ex
    .updateTable('notifications')
    .set({ emailedAt: new Date() })
    .where('tenantId', '=', tenantId)
    .where('id', 'in', (qb) =>
      qb
        .selectFrom('notifications as n')
        .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'n.tenantId').onRef('m.id', '=', 'n.membershipId'))
        .select('n.id')
        .where('n.tenantId', '=', tenantId)
        .where('m.personId', '=', personId)
        .where('m.status', '=', 'active')
        .where('n.emailedAt', 'is', null)
        .where('n.readAt', 'is', null)
        .where('n.createdAt', '<=', before)
        .forUpdate('n')
        .skipLocked(),
    )
    .returning('id')
    .execute();
  if (claimed.length === 0) return [];
  return ex
    .selectFrom('notifications as n')
    .innerJoin('memberships as am', (j) => j.onRef('am.tenantId', '=', 'n.tenantId').onRef('am.id', '=', 'n.actorMembershipId'))
    .innerJoin('persons as ap', (j) => j.onRef('ap.tenantId', '=', 'am.tenantId').onRef('ap.id', '=', 'am.personId'))
    .leftJoin('threads as t', (j) => j.onRef('t.tenantId', '=', 'n.tenantId').onRef('t.id', '=', 'n.threadId'))
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'n.tenantId').onRef('m.id', '=', 'n.membershipId'))
    .innerJoin('cohorts as c', (j) => j.onRef('c.tenantId', '=', 'm.tenantId').onRef('c.id', '=', 'm.cohortId'))
    .leftJoin('posts as p', (j) => j.onRef('p.tenantId', '=', 'n.tenantId').onRef('p.id', '=', 'n.postId'))
    // A post removed since the mention is not emailed (its notification still counts as covered).
    .where((eb) => eb.or([eb('p.status', '=', 'visible'), eb('n.planId', 'is not', null)]))
    .select(['n.id', 'n.kind', 'n.threadId', 'n.postId', 'n.planId', 'n.createdAt', 'ap.name as actorName', 't.title as threadTitle', 'c.id as cohortId', 'c.title as cohortTitle'])
    .where('n.tenantId', '=', tenantId)
    .where(
      'n.id',
      'in',
      claimed.map((c) => c.id),
    )
    .orderBy('n.createdAt')
    .execute();
}

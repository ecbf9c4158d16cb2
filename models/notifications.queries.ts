// In-app notifications. Every statement is scoped by tenant.
import type { Executor } from './db.ts';

export async function insertMentionNotifications(
  ex: Executor,
  n: { tenantId: string; actorMembershipId: string; threadId: string; postId: string; membershipIds: string[] },
): Promise<void> {
  if (n.membershipIds.length === 0) return;
  await ex
    .insertInto('notifications')
    .values(n.membershipIds.map((membershipId) => ({ tenantId: n.tenantId, membershipId, kind: 'mention' as const, actorMembershipId: n.actorMembershipId, threadId: n.threadId, postId: n.postId })))
    .execute();
}

export function listNotifications(ex: Executor, tenantId: string, membershipId: string, limit = 50) {
  return ex
    .selectFrom('notifications as n')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'n.tenantId').onRef('m.id', '=', 'n.actorMembershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .innerJoin('threads as t', (j) => j.onRef('t.tenantId', '=', 'n.tenantId').onRef('t.id', '=', 'n.threadId'))
    .select(['n.id', 'n.kind', 'n.threadId', 'n.postId', 'n.createdAt', 'n.readAt', 'p.name as actorName', 't.title as threadTitle'])
    .where('n.tenantId', '=', tenantId)
    .where('n.membershipId', '=', membershipId)
    .orderBy('n.createdAt', 'desc')
    .limit(limit)
    .execute();
}

export async function updateNotificationsRead(ex: Executor, tenantId: string, membershipId: string): Promise<void> {
  await ex.updateTable('notifications').set({ readAt: new Date() }).where('tenantId', '=', tenantId).where('membershipId', '=', membershipId).where('readAt', 'is', null).execute();
}

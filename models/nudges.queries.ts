// Nudges: a facilitator's message to a quiet learner. Every statement is scoped by tenant.
import { sql } from 'kysely';
import { preparedQuery, type Executor } from './db.ts';

export function insertNudge(ex: Executor, n: { tenantId: string; cohortId: string; membershipId: string; sentByMembershipId: string; message: string; nudgedOn: string }) {
  return ex.insertInto('nudges').values(n).returning(['id']).executeTakeFirstOrThrow();
}

/** The learner's nudges not yet dismissed, newest first (also a part of the hub's own statement, modules.queries.ts). */
export const openNudgesOf = (ex: Executor, q: { tenantId: string; membershipId: string }) =>
  ex
    .selectFrom('nudges as n')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'n.tenantId').onRef('m.id', '=', 'n.sentByMembershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['n.id', 'n.message', 'n.createdAt', 'p.name as senderName'])
    .where('n.tenantId', '=', q.tenantId)
    .where('n.membershipId', '=', q.membershipId)
    .where('n.dismissedAt', 'is', null)
    .orderBy('n.createdAt', 'desc')
    .limit(5);

export type OpenNudge = { id: string; message: string; createdAt: Date; senderName: string | null };

/** Dismisses the learner's own nudge; false when it is not theirs (or not there). */
export async function dismissNudge(ex: Executor, tenantId: string, membershipId: string, nudgeId: string): Promise<boolean> {
  const r = await ex
    .updateTable('nudges')
    .set({ dismissedAt: new Date() })
    .where('tenantId', '=', tenantId)
    .where('id', '=', nudgeId)
    .where('membershipId', '=', membershipId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The nudge to email, locked, with the recipient's shared address; undefined once emailed. */
export function claimNudgeForEmail(ex: Executor, tenantId: string, nudgeId: string) {
  return ex
    .selectFrom('nudges as n')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'n.tenantId').onRef('m.id', '=', 'n.membershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .innerJoin('cohorts as c', (j) => j.onRef('c.tenantId', '=', 'n.tenantId').onRef('c.id', '=', 'n.cohortId'))
    .innerJoin('tenants as t', 't.id', 'n.tenantId')
    .select(['n.id', 'n.message', 'n.cohortId', 'p.id as personId', 'p.name', 'p.email', 'c.title as cohortTitle'])
    // The recipient's language for the email's own words.
    .select(sql<string>`coalesce(p.locale, p.launch_locale, t.default_locale)`.as('locale'))
    .where('n.tenantId', '=', tenantId)
    .where('n.id', '=', nudgeId)
    .where('n.emailedAt', 'is', null)
    .forUpdate('n')
    .skipLocked()
    .executeTakeFirst();
}

export async function markNudgeEmailed(ex: Executor, tenantId: string, nudgeId: string): Promise<void> {
  await ex.updateTable('nudges').set({ emailedAt: new Date() }).where('tenantId', '=', tenantId).where('id', '=', nudgeId).execute();
}

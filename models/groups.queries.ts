// Groups of a cohort and who is in them. Every statement is scoped by tenant.
import { sql } from 'kysely';
import { preparedQuery, type Executor } from './db.ts';
import type { Group } from './schema.ts';

export function listGroups(ex: Executor, tenantId: string, cohortId: string): Promise<Array<Group & { size: number }>> {
  return ex
    .selectFrom('groups as g')
    .selectAll('g')
    .select((eb) => eb.selectFrom('groupMembers as gm').select(eb.fn.countAll<string>().as('n')).whereRef('gm.tenantId', '=', 'g.tenantId').whereRef('gm.groupId', '=', 'g.id').as('size'))
    .where('g.tenantId', '=', tenantId)
    .where('g.cohortId', '=', cohortId)
    .orderBy('g.createdAt')
    .orderBy('g.name')
    .execute()
    .then((rows) => rows.map((r) => ({ ...r, size: Number(r.size ?? 0) })));
}

export function findGroup(ex: Executor, tenantId: string, groupId: string): Promise<Group | undefined> {
  return ex.selectFrom('groups').selectAll().where('tenantId', '=', tenantId).where('id', '=', groupId).executeTakeFirst();
}

/** The group of a membership, if any. */
// Read by most learner pages: built once (preparedQuery).
const findGroupOfMemberQuery = preparedQuery((ex, p: { tenantId: string; membershipId: string }) =>
  ex
    .selectFrom('groupMembers as gm')
    .innerJoin('groups as g', (j) => j.onRef('g.tenantId', '=', 'gm.tenantId').onRef('g.id', '=', 'gm.groupId'))
    .selectAll('g')
    .where('gm.tenantId', '=', p.tenantId)
    .where('gm.membershipId', '=', p.membershipId),
);

export async function findGroupOfMember(ex: Executor, tenantId: string, membershipId: string): Promise<Group | undefined> {
  return (await findGroupOfMemberQuery(ex, { tenantId, membershipId }))[0];
}

export function listGroupMembers(ex: Executor, tenantId: string, cohortId: string) {
  return ex
    .selectFrom('groupMembers as gm')
    .innerJoin('groups as g', (j) => j.onRef('g.tenantId', '=', 'gm.tenantId').onRef('g.id', '=', 'gm.groupId'))
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'gm.tenantId').onRef('m.id', '=', 'gm.membershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['gm.groupId', 'gm.membershipId', 'gm.addedAt', 'g.createdAt as groupCreatedAt', 'p.name', 'm.status'])
    .where('gm.tenantId', '=', tenantId)
    .where('g.cohortId', '=', cohortId)
    .orderBy('p.name')
    .execute();
}

/** Active learners of the cohort not in any group, oldest membership first. */
export function listUngroupedLearners(ex: Executor, tenantId: string, cohortId: string) {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .leftJoin('groupMembers as gm', (j) => j.onRef('gm.tenantId', '=', 'm.tenantId').onRef('gm.membershipId', '=', 'm.id'))
    .select(['m.id as membershipId', 'p.name', 'p.email'])
    .where('m.tenantId', '=', tenantId)
    .where('m.cohortId', '=', cohortId)
    .where('m.role', '=', 'learner')
    .where('m.status', '=', 'active')
    .where('gm.membershipId', 'is', null)
    .orderBy('m.createdAt')
    .execute();
}

export function insertGroup(ex: Executor, g: { tenantId: string; cohortId: string; name: string }): Promise<Group> {
  return ex.insertInto('groups').values(g).returningAll().executeTakeFirstOrThrow();
}

export async function insertGroupMember(ex: Executor, m: { tenantId: string; groupId: string; membershipId: string }): Promise<void> {
  await ex.insertInto('groupMembers').values(m).execute();
}

export async function updateGroupMember(ex: Executor, tenantId: string, membershipId: string, groupId: string): Promise<void> {
  await ex.updateTable('groupMembers').set({ groupId }).where('tenantId', '=', tenantId).where('membershipId', '=', membershipId).execute();
}

export async function updateGroupName(ex: Executor, tenantId: string, groupId: string, name: string): Promise<void> {
  await ex.updateTable('groups').set({ name }).where('tenantId', '=', tenantId).where('id', '=', groupId).execute();
}

/** Serialises group changes of one cohort (formation, moves, late joiners) inside a transaction. A launch takes the same key in circlework_cohort_has_groups. */
export async function lockCohortGroups(ex: Executor, tenantId: string, cohortId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`groups:${tenantId}:${cohortId}`}))`.execute(ex);
}

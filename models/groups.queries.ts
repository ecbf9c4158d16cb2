// Groups of a cohort and who is in them. Every statement is scoped by tenant.
import { sql } from 'kysely';
import { preparedQuery, prepareStatement, type Executor } from './db.ts';
import type { Group } from './schema.ts';
import { MEMBER_PHOTO_JOIN } from './media.queries.ts';

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

/**
 * A group's members for the strip at the top of its spaces: name, profile photo, and when each was
 * last seen (their last launch, or their last post if later). Only this group's rows: `gm.group_id`
 * is the whole guard.
 */
export async function listGroupMemberStrip(ex: Executor, tenantId: string, groupId: string) {
  const query = sql<{ membershipId: string; name: string | null; lastLaunchAt: Date | null; lastPostAt: Date | null; photoId: string | null; photoHash: string | null }>`
    select m.id as membership_id, p.name, m.last_launch_at,
      (select max(po.created_at) from posts po where po.tenant_id = m.tenant_id and po.author_membership_id = m.id) as last_post_at,
      ph.id as photo_id, ph.content_hash as photo_hash
    from group_members gm
    join memberships m on m.tenant_id = gm.tenant_id and m.id = gm.membership_id
    join persons p on p.tenant_id = m.tenant_id and p.id = m.person_id
    ${MEMBER_PHOTO_JOIN}
    where gm.tenant_id = ${tenantId} and gm.group_id = ${groupId} and m.status = 'active'
    order by p.name, m.id`;
  // Read by every space page: a named statement, planned once per connection.
  const { rows } = await ex.executeQuery(prepareStatement(query.compile(ex)));
  return rows;
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

// Schedules, activity responses and module completions. Every statement is scoped by tenant.
import { sql } from 'kysely';
import { preparedQuery, prepareStatement, type Executor } from './db.ts';
import type { ActivityResponse, ResponseStatus } from './schema.ts';

// The hot reads of the hub and module pages are built once (preparedQuery).
const listModuleSchedulesQuery = preparedQuery((ex, p: { tenantId: string; cohortId: string }) =>
  ex.selectFrom('moduleSchedules').select(['moduleId', 'opensAt']).where('tenantId', '=', p.tenantId).where('cohortId', '=', p.cohortId),
);

export type ModuleScheduleRow = { moduleId: number; opensAt: Date };

export function listModuleSchedules(ex: Executor, tenantId: string, cohortId: string): Promise<ModuleScheduleRow[]> {
  return listModuleSchedulesQuery(ex, { tenantId, cohortId });
}

export async function upsertModuleSchedule(ex: Executor, row: { tenantId: string; cohortId: string; moduleId: number; opensAt: Date }): Promise<void> {
  await ex
    .insertInto('moduleSchedules')
    .values(row)
    .onConflict((oc) => oc.columns(['tenantId', 'cohortId', 'moduleId']).doUpdateSet({ opensAt: row.opensAt, updatedAt: sql`now()` }))
    .execute();
}

const listMemberResponsesQuery = preparedQuery((ex, p: { tenantId: string; membershipId: string }) =>
  ex.selectFrom('activityResponses').selectAll().where('tenantId', '=', p.tenantId).where('membershipId', '=', p.membershipId).orderBy('moduleId').orderBy('createdAt'),
);
const listMemberModuleResponsesQuery = preparedQuery((ex, p: { tenantId: string; membershipId: string; moduleId: number }) =>
  ex
    .selectFrom('activityResponses')
    .selectAll()
    .where('tenantId', '=', p.tenantId)
    .where('membershipId', '=', p.membershipId)
    .where('moduleId', '=', p.moduleId)
    .orderBy('moduleId')
    .orderBy('createdAt'),
);

export function listMemberResponses(ex: Executor, tenantId: string, membershipId: string, moduleId?: number): Promise<ActivityResponse[]> {
  return moduleId === undefined ? listMemberResponsesQuery(ex, { tenantId, membershipId }) : listMemberModuleResponsesQuery(ex, { tenantId, membershipId, moduleId });
}

/** Locks the response row (if any) for the rest of the transaction: concurrent saves queue up. */
export function findActivityResponseForUpdate(ex: Executor, tenantId: string, membershipId: string, moduleId: number, activityId: string) {
  return ex
    .selectFrom('activityResponses')
    .selectAll()
    .where('tenantId', '=', tenantId)
    .where('membershipId', '=', membershipId)
    .where('moduleId', '=', moduleId)
    .where('activityId', '=', activityId)
    .forUpdate()
    .executeTakeFirst();
}

export async function upsertActivityResponse(
  ex: Executor,
  r: { tenantId: string; cohortId: string; membershipId: string; moduleId: number; activityId: string; kind: string; status: ResponseStatus; content: Record<string, unknown>; shared: boolean },
): Promise<string> {
  const submittedAt = r.status === 'submitted' ? sql<Date>`now()` : null;
  const row = await ex
    .insertInto('activityResponses')
    .values({ ...r, content: JSON.stringify(r.content), submittedAt })
    .onConflict((oc) =>
      oc.columns(['tenantId', 'membershipId', 'moduleId', 'activityId']).doUpdateSet({
        status: r.status,
        content: JSON.stringify(r.content),
        shared: r.shared,
        submittedAt,
        updatedAt: sql`now()`,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const listCompletedModuleIdsQuery = preparedQuery((ex, p: { tenantId: string; membershipId: string }) =>
  ex.selectFrom('moduleCompletions').select('moduleId').where('tenantId', '=', p.tenantId).where('membershipId', '=', p.membershipId).orderBy('moduleId'),
);

export async function listCompletedModuleIds(ex: Executor, tenantId: string, membershipId: string): Promise<number[]> {
  const rows = await listCompletedModuleIdsQuery(ex, { tenantId, membershipId });
  return rows.map((r) => r.moduleId);
}

/** Records the completion once; true when this call recorded it. */
export async function insertModuleCompletion(ex: Executor, row: { tenantId: string; cohortId: string; membershipId: string; moduleId: number }): Promise<boolean> {
  const res = await ex.insertInto('moduleCompletions').values(row).onConflict((oc) => oc.doNothing()).returning('moduleId').executeTakeFirst();
  return res !== undefined;
}

/**
 * Memberships with the modules each completed and the modules each started: any response (draft or
 * submitted), or a visible post or reply in one of the module's group spaces. One definition for the
 * console's heatmap (a cohort's learners) and the hub (one learner).
 */
function membershipProgress(ex: Executor, tenantId: string) {
  return ex
    .selectFrom('memberships as m')
    .select((eb) => [
      'm.id as membershipId',
      eb.fn
        .coalesce(
          eb.selectFrom('moduleCompletions as c').select(sql<number[]>`array_agg(c.module_id order by c.module_id)`.as('ids')).whereRef('c.tenantId', '=', 'm.tenantId').whereRef('c.membershipId', '=', 'm.id'),
          sql<number[]>`'{}'::smallint[]`,
        )
        .as('completed'),
      sql<number[]>`coalesce((
        select array_agg(distinct x.module_id order by x.module_id) from (
          select r.module_id from activity_responses r where r.tenant_id = m.tenant_id and r.membership_id = m.id
          union all
          select s.module_id from posts p join spaces s on s.tenant_id = p.tenant_id and s.id = p.space_id
          where p.tenant_id = m.tenant_id and p.author_membership_id = m.id and p.status = 'visible' and s.group_id is not null and s.module_id is not null
        ) x), '{}'::smallint[])`.as('started'),
    ])
    .where('m.tenantId', '=', tenantId);
}

/** Per learner (active memberships), which modules they completed and which they started. */
export function listLearnerProgress(ex: Executor, tenantId: string, cohortId: string) {
  return membershipProgress(ex, tenantId)
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select('p.name')
    .where('m.cohortId', '=', cohortId)
    .where('m.role', '=', 'learner')
    .where('m.status', '=', 'active')
    .orderBy('p.name')
    .execute();
}

// Read by every hub visit: built once (preparedQuery).
const findMemberProgressQuery = preparedQuery((ex, p: { tenantId: string; membershipId: string }) => membershipProgress(ex, p.tenantId).where('m.id', '=', p.membershipId));

/** One membership's completed and started modules (the hub). */
export async function findMemberProgress(ex: Executor, tenantId: string, membershipId: string): Promise<{ completed: number[]; started: number[] }> {
  const [row] = await findMemberProgressQuery(ex, { tenantId, membershipId });
  return { completed: row?.completed ?? [], started: row?.started ?? [] };
}

/**
 * The hub's cohort summary: how many active learners the cohort has, and how many of them completed
 * each module. Walks the cohort's memberships and completions on their cohort indexes, never posts
 * (listLearnerProgress's 'started' does, for the facilitator's heatmap).
 */
export async function countCohortCompletions(ex: Executor, tenantId: string, cohortId: string): Promise<{ learners: number; perModule: Map<number, number> }> {
  const query = sql<{ moduleId: number | null; learners: number }>`
    with learners as (
      select m.id from memberships m
      where m.tenant_id = ${tenantId} and m.cohort_id = ${cohortId} and m.role = 'learner' and m.status = 'active'
    )
    select null::smallint as module_id, count(*)::int as learners from learners
    union all
    select c.module_id, count(*)::int from module_completions c join learners l on l.id = c.membership_id
    where c.tenant_id = ${tenantId} and c.cohort_id = ${cohortId}
    group by c.module_id`;
  // Read by every hub visit: a named statement, planned once per connection.
  const { rows } = await ex.executeQuery(prepareStatement(query.compile(ex)));
  const total = rows.find((r) => r.moduleId === null)?.learners ?? 0;
  return { learners: total, perModule: new Map(rows.filter((r) => r.moduleId !== null).map((r) => [r.moduleId!, r.learners])) };
}

/** What a learner chose to share (reflections marked shared, and every curation share). */
export function listSharedResponses(ex: Executor, tenantId: string, cohortId: string, membershipId: string) {
  return ex
    .selectFrom('activityResponses')
    .selectAll()
    .where('tenantId', '=', tenantId)
    .where('cohortId', '=', cohortId)
    .where('membershipId', '=', membershipId)
    .where('status', '=', 'submitted')
    .where((eb) => eb.or([eb('shared', '=', true), eb('kind', '=', 'curation')]))
    .orderBy('moduleId')
    .execute();
}

/**
 * Whether the member has a post or reply, neither hidden nor deleted, in one of the cohort's group
 * spaces of the module (the group they are in now or were in before).
 */
const hasVisibleGroupSpacePostQuery = preparedQuery((ex, q: { tenantId: string; cohortId: string; membershipId: string; moduleId: number }) =>
  ex
    .selectFrom('posts as p')
    .innerJoin('spaces as s', (j) => j.onRef('s.tenantId', '=', 'p.tenantId').onRef('s.id', '=', 'p.spaceId'))
    .select('p.id')
    .where('p.tenantId', '=', q.tenantId)
    .where('p.authorMembershipId', '=', q.membershipId)
    .where('p.status', '=', 'visible')
    .where('s.cohortId', '=', q.cohortId)
    .where('s.moduleId', '=', q.moduleId)
    .where('s.groupId', 'is not', null)
    .limit(1),
);

export async function hasVisibleGroupSpacePost(ex: Executor, tenantId: string, cohortId: string, membershipId: string, moduleId: number): Promise<boolean> {
  const rows = await hasVisibleGroupSpacePostQuery(ex, { tenantId, cohortId, membershipId, moduleId });
  return rows.length > 0;
}

/**
 * Serialises completion checks of one member's module until the transaction ends, so a submission
 * and a post committed at the same moment cannot each miss the other and leave the module undone.
 */
export async function lockModuleCompletion(ex: Executor, membershipId: string, moduleId: number): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`module-completion:${membershipId}:${moduleId}`}))`.execute(ex);
}

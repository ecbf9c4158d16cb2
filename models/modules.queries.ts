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

export function listMemberResponses(ex: Executor, tenantId: string, membershipId: string): Promise<ActivityResponse[]> {
  return listMemberResponsesQuery(ex, { tenantId, membershipId });
}

/** What a learner has in one module, as its page and its completion read it. */
export interface MemberModule {
  /** Their responses in this module (drafts and submitted), oldest first. */
  responses: ActivityResponse[];
  /** Every module they completed, in order. */
  completed: number[];
  hasGroup: boolean;
  /**
   * A post or reply of theirs, neither hidden nor deleted, in one of the cohort's group spaces of the
   * module (the group they are in now or were in before).
   */
  postedInGroupSpace: boolean;
}

/**
 * A learner's module in one round trip (four statements before): the response rows, each carrying
 * the three figures (a module without a response still gives one row, of figures only).
 */
export async function findMemberModule(ex: Executor, p: { tenantId: string; cohortId: string; membershipId: string; moduleId: number }): Promise<MemberModule> {
  const query = sql<{ figCompleted: number[]; figHasGroup: boolean; figPosted: boolean } & { [K in keyof ActivityResponse]: ActivityResponse[K] | null }>`
    SELECT fig.completed AS fig_completed, fig.has_group AS fig_has_group, fig.posted AS fig_posted, r.*
    FROM (SELECT
        ARRAY(SELECT c.module_id::int FROM module_completions c WHERE c.tenant_id = ${p.tenantId} AND c.membership_id = ${p.membershipId} ORDER BY c.module_id) AS completed,
        EXISTS (SELECT 1 FROM group_members gm WHERE gm.tenant_id = ${p.tenantId} AND gm.membership_id = ${p.membershipId}) AS has_group,
        EXISTS (SELECT 1 FROM posts po JOIN spaces s ON s.tenant_id = po.tenant_id AND s.id = po.space_id
          WHERE po.tenant_id = ${p.tenantId} AND po.author_membership_id = ${p.membershipId} AND po.status = 'visible'
            AND s.cohort_id = ${p.cohortId} AND s.module_id = ${p.moduleId}::int AND s.group_id IS NOT NULL) AS posted) fig
    LEFT JOIN activity_responses r ON r.tenant_id = ${p.tenantId} AND r.membership_id = ${p.membershipId} AND r.module_id = ${p.moduleId}::int
    ORDER BY r.created_at`;
  // Read by every module page: a named statement, planned once per connection.
  const { rows } = await ex.executeQuery(prepareStatement(query.compile(ex)));
  const [first] = rows;
  const responses = rows.filter((r) => r.id !== null).map(({ figCompleted: _c, figHasGroup: _g, figPosted: _p, ...response }) => response as ActivityResponse);
  return { responses, completed: first!.figCompleted, hasGroup: first!.figHasGroup, postedInGroupSpace: first!.figPosted };
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
 * Serialises completion checks of one member's module until the transaction ends, so a submission
 * and a post committed at the same moment cannot each miss the other and leave the module undone.
 */
export async function lockModuleCompletion(ex: Executor, membershipId: string, moduleId: number): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`module-completion:${membershipId}:${moduleId}`}))`.execute(ex);
}

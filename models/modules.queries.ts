// Schedules, activity responses and module completions. Every statement is scoped by tenant.
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { preparedQuery, prepareStatement, type Executor } from './db.ts';
import { openNudgesOf, type OpenNudge } from './nudges.queries.ts';
import { ANNOUNCEMENTS_LISTED, announcementsFor, type AnnouncementReader, type AnnouncementRow } from './moderation.queries.ts';
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
        -- The module's group spaces read once, then the author's posts until one is in them. Joined
        -- instead, the generic plan read all the cohort's spaces again for each of the author's posts
        -- (1,350 rows for a 60-learner cohort at 1 M posts: 0.30 ms of a 0.56 ms round trip).
        EXISTS (SELECT 1 FROM posts po
          WHERE po.tenant_id = ${p.tenantId} AND po.author_membership_id = ${p.membershipId} AND po.status = 'visible'
            AND po.space_id = ANY (ARRAY(SELECT s.id FROM spaces s
              WHERE s.tenant_id = ${p.tenantId} AND s.cohort_id = ${p.cohortId} AND s.module_id = ${p.moduleId}::int AND s.group_id IS NOT NULL))) AS posted) fig
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

/**
 * The hub's cohort summary, as two columns: how many active learners the cohort has, and how many of
 * them completed each module (JSON, module id to count). Walks the cohort's memberships and
 * completions on their cohort indexes, never posts (listLearnerProgress's 'started' does, for the
 * facilitator's heatmap).
 */
function cohortCountColumns(tenantId: string, cohortId: string) {
  const learner = sql`l.tenant_id = ${tenantId} AND l.cohort_id = ${cohortId} AND l.role = 'learner' AND l.status = 'active'`;
  return {
    learners: sql<number>`(SELECT count(*)::int FROM memberships l WHERE ${learner})`,
    perModule: sql<Record<string, number>>`(SELECT coalesce(json_object_agg(x.module_id, x.n), '{}'::json) FROM (
      SELECT c.module_id, count(*)::int AS n FROM module_completions c JOIN memberships l ON l.tenant_id = c.tenant_id AND l.id = c.membership_id
      WHERE c.tenant_id = ${tenantId} AND c.cohort_id = ${cohortId} AND ${learner} GROUP BY c.module_id) x)`,
  };
}

export interface CohortCounts {
  learners: number;
  perModule: Map<number, number>;
}

const countsOf = (learners: number, perModule: Record<string, number>): CohortCounts => ({ learners, perModule: new Map(Object.entries(perModule).map(([id, n]) => [Number(id), n])) });

export async function countCohortCompletions(ex: Executor, tenantId: string, cohortId: string): Promise<CohortCounts> {
  const counts = cohortCountColumns(tenantId, cohortId);
  const { rows } = await sql<{ learners: number; perModule: Record<string, number> }>`SELECT ${counts.learners} AS learners, ${counts.perModule} AS per_module`.execute(ex);
  return countsOf(rows[0]!.learners, rows[0]!.perModule);
}

/** The hub: one membership's progress, its cohort's counts, its open nudges and the announcements it sees. */
export interface HubPage {
  completed: number[];
  started: number[];
  cohort: CohortCounts;
  nudges: OpenNudge[];
  announcements: AnnouncementRow[];
}

// The hub's one statement, built once per kind of reader (preparedQuery): the membership's row
// carries the cohort's counts, and its nudges and announcements as JSON (timestamps as text).
const hubPageQuery = (allGroups: boolean) =>
  preparedQuery((ex, p: { tenantId: string; cohortId: string; membershipId: string; limit: number }) => {
    const counts = cohortCountColumns(p.tenantId, p.cohortId);
    return membershipProgress(ex, p.tenantId)
      .select([
        counts.learners.as('cohortLearners'),
        counts.perModule.as('cohortPerModule'),
        jsonArrayFrom(openNudgesOf(ex, p)).as('nudges'),
        jsonArrayFrom(announcementsFor(ex, p, allGroups ? { allGroups: true } : { membershipId: p.membershipId })).as('announcements'),
      ])
      .where('m.id', '=', p.membershipId);
  });
const hubPageQueries = { member: hubPageQuery(false), allGroups: hubPageQuery(true) };

/** The hub in one round trip (see HubPage); announcements as `reader` sees them, the newest `limit`. */
export async function readHubPage(ex: Executor, tenantId: string, cohortId: string, membershipId: string, reader: AnnouncementReader, limit = ANNOUNCEMENTS_LISTED): Promise<HubPage> {
  const [row] = await hubPageQueries['allGroups' in reader ? 'allGroups' : 'member'](ex, { tenantId, cohortId, membershipId, limit });
  // The membership row carries the rest; without it (not this tenant's), none of the cohort's counts either.
  if (!row) return { completed: [], started: [], cohort: await countCohortCompletions(ex, tenantId, cohortId), nudges: [], announcements: [] };
  return {
    completed: row.completed,
    started: row.started,
    cohort: countsOf(row.cohortLearners, row.cohortPerModule),
    nudges: row.nudges.map((n) => ({ ...n, createdAt: new Date(n.createdAt) })),
    announcements: row.announcements.map((a) => ({ ...a, createdAt: new Date(a.createdAt) })),
  };
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

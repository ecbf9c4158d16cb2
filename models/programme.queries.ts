// The programme view's reads and writes: each cohort's counts (for the programme-snapshots job), the
// kept snapshots (what the page reads) and relationship goals. Counts only: no
// query here returns a person's name.
import { sql } from 'kysely';
import type { Executor } from './db.ts';

export interface CohortCountsRow {
  title: string;
  createdAt: Date;
  /** The facilitator's module dates (module id → opens at); the others follow the default schedule. */
  scheduled: Array<{ moduleId: number; opensAt: string }>;
  learners: number;
  /** Active learners who completed every module (`moduleCount`). */
  completed: number;
  /** Active learners with a visible post or a submitted activity response. */
  participating: number;
  /** Whether the cohort's relationship analytics are on (the default). */
  relationshipAnalytics: boolean;
  plansSubmitted: number;
  /** The action-plan schedule: the course end and the check-in weeks after it; null when not set. */
  endsOn: string | null;
  checkInWeeks: number[] | null;
  /** Check-ins recorded on submitted plans, by their number (1 = the first week of checkInWeeks). */
  checkInsBySeq: Record<string, number>;
  /** Submitted plans with a manager invited, and with a conversation the manager logged. */
  plansWithManager: number;
  plansWithConversation: number;
  /** Active learners who opted in to be found by every cohort of the tenant (the expert finder). */
  findable: number;
  /** Active learners also active in another cohort of the tenant. */
  inOtherCohorts: number;
}

/** One cohort's counts, in one statement; undefined when the cohort is gone. */
export async function findCohortCounts(ex: Executor, tenantId: string, cohortId: string, moduleCount: number): Promise<CohortCountsRow | undefined> {
  const { rows } = await sql<CohortCountsRow>`
    WITH learners AS (
      SELECT m.id, m.person_id,
             (SELECT count(*) FROM module_completions c WHERE c.tenant_id = m.tenant_id AND c.membership_id = m.id) >= ${moduleCount} AS completed,
             EXISTS (SELECT 1 FROM posts p WHERE p.tenant_id = m.tenant_id AND p.author_membership_id = m.id AND p.status = 'visible')
               OR EXISTS (SELECT 1 FROM activity_responses r WHERE r.tenant_id = m.tenant_id AND r.membership_id = m.id AND r.status = 'submitted') AS participating
      FROM memberships m
      WHERE m.tenant_id = ${tenantId} AND m.cohort_id = ${cohortId} AND m.role = 'learner' AND m.status = 'active'),
    plans AS (
      SELECT ap.id FROM action_plans ap JOIN learners l ON l.id = ap.membership_id
      WHERE ap.tenant_id = ${tenantId} AND ap.cohort_id = ${cohortId} AND ap.status = 'submitted')
    SELECT co.title, co.created_at AS "createdAt",
      (SELECT coalesce(json_agg(json_build_object('moduleId', ms.module_id, 'opensAt', ms.opens_at)), '[]') FROM module_schedules ms
        WHERE ms.tenant_id = co.tenant_id AND ms.cohort_id = co.id) AS scheduled,
      (SELECT count(*)::int FROM learners) AS learners,
      (SELECT count(*) FILTER (WHERE completed)::int FROM learners) AS completed,
      (SELECT count(*) FILTER (WHERE participating)::int FROM learners) AS participating,
      COALESCE(a.relationship_analytics, true) AS "relationshipAnalytics",
      (SELECT count(*)::int FROM plans) AS "plansSubmitted",
      to_char(s.ends_on, 'YYYY-MM-DD') AS "endsOn", s.check_in_weeks::int[] AS "checkInWeeks",
      (SELECT coalesce(json_object_agg(seq, n), '{}') FROM (
         SELECT c.seq, count(*)::int AS n FROM check_ins c JOIN plans p ON p.id = c.plan_id WHERE c.tenant_id = ${tenantId} GROUP BY c.seq) x) AS "checkInsBySeq",
      (SELECT count(DISTINCT mi.plan_id)::int FROM manager_invites mi JOIN plans p ON p.id = mi.plan_id WHERE mi.tenant_id = ${tenantId}) AS "plansWithManager",
      (SELECT count(DISTINCT k.plan_id)::int FROM action_plan_comments k JOIN plans p ON p.id = k.plan_id
        WHERE k.tenant_id = ${tenantId} AND k.kind = 'conversation') AS "plansWithConversation",
      (SELECT count(*)::int FROM learners l JOIN profiles pr ON pr.tenant_id = ${tenantId} AND pr.person_id = l.person_id WHERE pr.search_all_cohorts) AS findable,
      (SELECT count(*)::int FROM learners l WHERE EXISTS (
         SELECT 1 FROM memberships o WHERE o.tenant_id = ${tenantId} AND o.person_id = l.person_id AND o.cohort_id <> ${cohortId} AND o.status = 'active')) AS "inOtherCohorts"
    FROM cohorts co
    LEFT JOIN cohort_analytics_settings a ON a.tenant_id = co.tenant_id AND a.cohort_id = co.id
    LEFT JOIN action_plan_schedules s ON s.tenant_id = co.tenant_id AND s.cohort_id = co.id
    WHERE co.tenant_id = ${tenantId} AND co.id = ${cohortId}`.execute(ex);
  return rows[0];
}

export interface SnapshotRow {
  id: string;
  title: string;
  /** The kept figures (ProgrammeSnapshotFigures), or null before the job first computed them. */
  figures: unknown;
  refreshedAt: Date | null;
}

/** Every cohort of the tenant with its kept snapshot, oldest first: what the page reads, one statement. */
export function listProgrammeSnapshots(ex: Executor, tenantId: string): Promise<SnapshotRow[]> {
  return programmeSnapshotsQuery(ex, tenantId).execute();
}

/** The statement itself, for the bench's EXPLAIN. */
export function programmeSnapshotsQuery(ex: Executor, tenantId: string) {
  return ex
    .selectFrom('cohorts as co')
    .leftJoin('programmeCohortSnapshots as s', (j) => j.onRef('s.tenantId', '=', 'co.tenantId').onRef('s.cohortId', '=', 'co.id'))
    .select(['co.id', 'co.title', 's.figures', 's.refreshedAt'])
    .where('co.tenantId', '=', tenantId)
    .orderBy('co.createdAt')
    .orderBy('co.id');
}

/**
 * Cohorts (of every tenant) whose snapshot is missing, refreshed before `before`, or stale (a change
 * logged in cohort_figure_changes that its snapshot does not see) and refreshed before
 * `changedBefore`; at most `limit`.
 */
export async function listCohortsToSnapshot(ex: Executor, before: Date, limit: number, changedBefore: Date): Promise<Array<{ tenantId: string; cohortId: string }>> {
  const { rows } = await sql<{ tenantId: string; cohortId: string }>`
    SELECT co.tenant_id AS "tenantId", co.id AS "cohortId"
    FROM cohorts co
    LEFT JOIN programme_cohort_snapshots s ON s.tenant_id = co.tenant_id AND s.cohort_id = co.id
    WHERE s.cohort_id IS NULL OR s.refreshed_at < ${before}
       OR (s.refreshed_at < ${changedBefore} AND EXISTS (
             SELECT 1 FROM cohort_figure_changes c
             WHERE c.tenant_id = co.tenant_id AND c.cohort_id = co.id AND NOT pg_visible_in_snapshot(c.xid, s.snapshot)))
    ORDER BY s.refreshed_at NULLS FIRST, co.id
    LIMIT ${limit}`.execute(ex);
  return rows;
}

/**
 * Keeps a cohort's snapshot (unless one computed after a later snapshot is kept), then drops the
 * logged changes that both it and the facilitator's kept figures have seen.
 */
export async function saveProgrammeSnapshot(ex: Executor, s: { tenantId: string; cohortId: string; snapshot: string; refreshedAt: Date; figures: object }): Promise<void> {
  await sql`
    WITH kept AS (
      INSERT INTO programme_cohort_snapshots AS p (tenant_id, cohort_id, snapshot, refreshed_at, figures)
      VALUES (${s.tenantId}, ${s.cohortId}, ${s.snapshot}::pg_snapshot, ${s.refreshedAt}, ${JSON.stringify(s.figures)}::jsonb)
      ON CONFLICT (tenant_id, cohort_id) DO UPDATE SET snapshot = excluded.snapshot, refreshed_at = excluded.refreshed_at, figures = excluded.figures
      WHERE pg_snapshot_xmax(p.snapshot) <= pg_snapshot_xmax(excluded.snapshot)
      RETURNING p.tenant_id, p.cohort_id, p.snapshot)
    DELETE FROM cohort_figure_changes c USING kept, cohort_figures f
    WHERE c.tenant_id = kept.tenant_id AND c.cohort_id = kept.cohort_id AND pg_visible_in_snapshot(c.xid, kept.snapshot)
      AND f.tenant_id = kept.tenant_id AND f.cohort_id = kept.cohort_id AND f.snapshot IS NOT NULL AND pg_visible_in_snapshot(c.xid, f.snapshot)`.execute(ex);
}

/** The tenant's relationship goals, in the order they were set. */
export function listRelationshipGoals(ex: Executor, tenantId: string) {
  return ex.selectFrom('relationshipGoals').select(['id', 'kind', 'thresholdPercent', 'at']).where('tenantId', '=', tenantId).orderBy('createdAt').orderBy('id').execute();
}

/** Adds a goal; false when the tenant already has one of that kind at that module or week. */
export async function insertRelationshipGoal(ex: Executor, g: { tenantId: string; kind: 'cross-group-ties' | 'check-in-share' | 'isolated-share'; thresholdPercent: number; at: number }): Promise<boolean> {
  const r = await ex.insertInto('relationshipGoals').values(g).onConflict((oc) => oc.columns(['tenantId', 'kind', 'at']).doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function countRelationshipGoals(ex: Executor, tenantId: string): Promise<number> {
  const r = await ex.selectFrom('relationshipGoals').select((eb) => eb.fn.countAll<string>().as('n')).where('tenantId', '=', tenantId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function deleteRelationshipGoal(ex: Executor, tenantId: string, id: string): Promise<boolean> {
  const r = await ex.deleteFrom('relationshipGoals').where('tenantId', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

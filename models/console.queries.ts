// What the facilitator console's "needs attention" list counts, in one statement: open flags,
// learners who never opened Circlework or have gone quiet (and were not nudged today), scores the LMS
// refused for good, check-ins due and not recorded. Every part is scoped by tenant and cohort, and
// read by index per learner, so its cost follows the cohort, not the tenant.
import { sql } from 'kysely';
import type { Executor } from './db.ts';

export interface AttentionCounts {
  /** Posts with at least one open flag. */
  flaggedPosts: number;
  /** Active learners on the roster who never launched, not nudged today. */
  neverLaunched: number;
  /** Active learners who launched but did nothing for the cohort's quiet days, not nudged today. */
  quiet: number;
  /** The newest score per learner and LMS link, when it failed for good. */
  failedGrades: number;
  /** Learners with a submitted plan and a check-in due (by today, UTC) that they have not recorded. */
  overdueCheckIns: number;
}

export async function countNeedsAttention(ex: Executor, tenantId: string, cohortId: string, now: Date, defaultQuietDays: number): Promise<AttentionCounts> {
  const today = now.toISOString().slice(0, 10);
  // As the dashboard's quiet list: the latest of a launch, a post or reply, kudos given and an
  // activity answer; a learner with none counts from when they joined.
  const { rows } = await sql<AttentionCounts>`
    WITH settings AS (
      SELECT COALESCE((SELECT quiet_days FROM cohort_analytics_settings WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId}), ${defaultQuietDays}) AS quiet_days),
    learners AS (
      SELECT m.id, m.created_at, m.last_launch_at FROM memberships m
      WHERE m.tenant_id = ${tenantId} AND m.cohort_id = ${cohortId} AND m.role = 'learner' AND m.status = 'active'
        AND NOT EXISTS (SELECT 1 FROM nudges n WHERE n.tenant_id = m.tenant_id AND n.membership_id = m.id AND n.nudged_on = ${today}::date)),
    latest AS (
      SELECT l.id, l.last_launch_at,
        COALESCE(GREATEST(l.last_launch_at,
          (SELECT max(created_at) FROM posts WHERE tenant_id = ${tenantId} AND author_membership_id = l.id),
          (SELECT max(created_at) FROM kudos WHERE tenant_id = ${tenantId} AND from_membership_id = l.id),
          (SELECT max(updated_at) FROM activity_responses WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId} AND membership_id = l.id)), l.created_at) AS at
      FROM learners l),
    grades AS (
      SELECT DISTINCT ON (g.membership_id, g.resource_link_id) g.status
      FROM grade_outbox g
      JOIN memberships m ON m.tenant_id = g.tenant_id AND m.id = g.membership_id
      WHERE g.tenant_id = ${tenantId} AND m.cohort_id = ${cohortId}
      ORDER BY g.membership_id, g.resource_link_id, g.score_timestamp DESC)
    SELECT
      (SELECT count(DISTINCT post_id) FROM post_flags WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId} AND status = 'open')::int AS "flaggedPosts",
      (SELECT count(*) FROM latest WHERE last_launch_at IS NULL)::int AS "neverLaunched",
      (SELECT count(*) FROM latest, settings WHERE last_launch_at IS NOT NULL
         AND at <= ${now.toISOString()}::timestamptz - make_interval(days => settings.quiet_days))::int AS quiet,
      (SELECT count(*) FROM grades WHERE status = 'failed')::int AS "failedGrades",
      (SELECT count(DISTINCT ap.id)
         FROM action_plans ap
         JOIN action_plan_schedules s ON s.tenant_id = ap.tenant_id AND s.cohort_id = ap.cohort_id
         JOIN memberships m ON m.tenant_id = ap.tenant_id AND m.id = ap.membership_id
         CROSS JOIN LATERAL unnest(s.check_in_weeks) WITH ORDINALITY AS w(weeks, seq)
         WHERE ap.tenant_id = ${tenantId} AND ap.cohort_id = ${cohortId} AND ap.status = 'submitted' AND m.status = 'active'
           AND s.ends_on + (w.weeks * 7) <= ${today}::date
           AND NOT EXISTS (SELECT 1 FROM check_ins c WHERE c.tenant_id = ap.tenant_id AND c.plan_id = ap.id AND c.seq = w.seq))::int AS "overdueCheckIns"`.execute(ex);
  return rows[0]!;
}

// The programme view's reads: every cohort of one tenant as counts, and the cohort's kept network
// figures (cohort_figures.social, written by the facilitator's analytics). Counts only: no query
// here returns a person's name.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { WeekPoint } from '../server/analytics/network-metrics.ts';

export interface ProgrammeCohortRow {
  id: string;
  title: string;
  /** When its first and last module open (its schedule); null when not scheduled. */
  firstOpensAt: Date | null;
  lastOpensAt: Date | null;
  learners: number;
  /** Active learners who completed every module (`moduleCount`). */
  completed: number;
  /** Active learners with a visible post or a submitted activity response. */
  participating: number;
  /** Whether the cohort's relationship analytics are on (the default). */
  relationshipAnalytics: boolean;
  /** The kept weekly trend of its network (cumulative), and when it was computed; null when none is kept. */
  trend: WeekPoint[] | null;
  computedAt: Date | null;
}

/** Every cohort of the tenant, oldest first, with its counts: one statement, whatever the number of cohorts. */
export async function listProgrammeCohorts(ex: Executor, tenantId: string, moduleCount: number): Promise<ProgrammeCohortRow[]> {
  return (await programmeCohortsStatement(tenantId, moduleCount).execute(ex)).rows;
}

/** The statement itself, for the bench's EXPLAIN. */
export function programmeCohortsStatement(tenantId: string, moduleCount: number) {
  return sql<ProgrammeCohortRow>`
    WITH learners AS (
      SELECT m.cohort_id, m.id,
             (SELECT count(*) FROM module_completions c WHERE c.tenant_id = m.tenant_id AND c.membership_id = m.id) >= ${moduleCount} AS completed,
             EXISTS (SELECT 1 FROM posts p WHERE p.tenant_id = m.tenant_id AND p.author_membership_id = m.id AND p.status = 'visible')
               OR EXISTS (SELECT 1 FROM activity_responses r WHERE r.tenant_id = m.tenant_id AND r.membership_id = m.id AND r.status = 'submitted') AS participating
      FROM memberships m
      WHERE m.tenant_id = ${tenantId} AND m.role = 'learner' AND m.status = 'active'),
    counts AS (
      SELECT cohort_id, count(*)::int AS learners, count(*) FILTER (WHERE completed)::int AS completed, count(*) FILTER (WHERE participating)::int AS participating
      FROM learners GROUP BY cohort_id),
    schedules AS (
      SELECT cohort_id, min(opens_at) AS first_opens_at, max(opens_at) AS last_opens_at
      FROM module_schedules WHERE tenant_id = ${tenantId} GROUP BY cohort_id)
    SELECT co.id, co.title, s.first_opens_at AS "firstOpensAt", s.last_opens_at AS "lastOpensAt",
           COALESCE(n.learners, 0) AS learners, COALESCE(n.completed, 0) AS completed, COALESCE(n.participating, 0) AS participating,
           COALESCE(a.relationship_analytics, true) AS "relationshipAnalytics",
           (f.social::jsonb) -> 'trend' AS trend, f.computed_at AS "computedAt"
    FROM cohorts co
    LEFT JOIN counts n ON n.cohort_id = co.id
    LEFT JOIN schedules s ON s.cohort_id = co.id
    LEFT JOIN cohort_analytics_settings a ON a.tenant_id = co.tenant_id AND a.cohort_id = co.id
    LEFT JOIN cohort_figures f ON f.tenant_id = co.tenant_id AND f.cohort_id = co.id AND f.social IS NOT NULL
    WHERE co.tenant_id = ${tenantId}
    ORDER BY s.first_opens_at NULLS LAST, co.created_at, co.id`;
}

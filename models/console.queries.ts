// What the facilitator console's "needs attention" list counts in one statement: open flags, scores
// the LMS refused for good, check-ins due and not recorded (quiet learners come from the dashboard's
// rule, server/analytics). Every part is scoped by tenant and cohort, so its cost follows the
// cohort, not the tenant.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { CohortMemberRow } from './cohorts.queries.ts';

export interface OtherAttentionCounts {
  /** Posts with at least one open flag. */
  flaggedPosts: number;
  /** The newest score per learner and LMS link, when it failed for good. */
  failedGrades: number;
  /** Learners with a submitted plan and a check-in due (by today, UTC) that they have not recorded. */
  overdueCheckIns: number;
}

export async function countNeedsAttention(ex: Executor, tenantId: string, cohortId: string, now: Date): Promise<OtherAttentionCounts> {
  const today = now.toISOString().slice(0, 10);
  const { rows } = await sql<OtherAttentionCounts>`
    WITH grades AS (
      SELECT DISTINCT ON (g.membership_id, g.resource_link_id) g.status
      FROM grade_outbox g
      JOIN memberships m ON m.tenant_id = g.tenant_id AND m.id = g.membership_id
      WHERE g.tenant_id = ${tenantId} AND m.cohort_id = ${cohortId}
      ORDER BY g.membership_id, g.resource_link_id, g.score_timestamp DESC)
    SELECT
      (SELECT count(DISTINCT post_id) FROM post_flags WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId} AND status = 'open')::int AS "flaggedPosts",
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

export interface MemberTablePage {
  members: CohortMemberRow[];
  /** The last member shown, when more follow (the next page starts after them). */
  nextAfter: string | undefined;
  /** Whether this page starts after a member (not the first page). */
  later: boolean;
  learners: number;
  facilitators: number;
}

/**
 * One page of the console's member table (the order of listCohortMembers: role, then name, names not
 * shared last), keyset-paged after a member (any other id: the first page), with the cohort's counts,
 * in one round trip. A 600-learner cohort's console shows a page, not 600 rows.
 */
export async function listMemberTablePage(ex: Executor, tenantId: string, cohortId: string, after: string | undefined, size: number): Promise<MemberTablePage> {
  const { rows } = await sql<CohortMemberRow & { learners: number; facilitators: number; later: boolean }>`
    WITH anchor AS (
      SELECT m.role, p.name IS NULL AS unnamed, coalesce(p.name, '') AS name, m.id FROM memberships m JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
      WHERE m.tenant_id = ${tenantId} AND m.cohort_id = ${cohortId} AND m.id = ${after ?? null}::uuid),
    counts AS (
      SELECT count(*) FILTER (WHERE role = 'learner')::int AS learners, count(*) FILTER (WHERE role = 'facilitator')::int AS facilitators,
        EXISTS (SELECT 1 FROM anchor) AS later
      FROM memberships WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId})
    SELECT counts.*, page.* FROM counts LEFT JOIN (
      SELECT m.id AS membership_id, p.id AS person_id, p.name, p.email, m.role, m.status, m.last_launch_at
      FROM memberships m JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
      WHERE m.tenant_id = ${tenantId} AND m.cohort_id = ${cohortId}
        -- Role descending, the rest ascending: after the anchor is a lower role, or the same role and a later name.
        AND (NOT EXISTS (SELECT 1 FROM anchor)
          OR m.role < (SELECT role FROM anchor)
          OR (m.role = (SELECT role FROM anchor) AND (p.name IS NULL, coalesce(p.name, ''), m.id) > (SELECT unnamed, name, id FROM anchor)))
      ORDER BY m.role DESC, p.name IS NULL, coalesce(p.name, ''), m.id
      LIMIT ${size + 1}) page ON TRUE`.execute(ex);
  const members = rows.filter((r) => r.membershipId !== null).map(({ learners: _l, facilitators: _f, later: _a, ...m }) => m);
  const shown = members.slice(0, size);
  return { members: shown, nextAfter: members.length > size ? shown.at(-1)!.membershipId : undefined, later: rows[0]?.later ?? false, learners: rows[0]?.learners ?? 0, facilitators: rows[0]?.facilitators ?? 0 };
}

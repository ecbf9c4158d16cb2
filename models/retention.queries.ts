// Retention per tenant (server/privacy/retention.service.ts holds the rules): when each cohort's data
// expires, the warning sent once to its facilitators, a cohort's rows deleted in chunks with its
// progress, and the admin console's counts of what a tenant keeps.
import { sql } from 'kysely';
import type { Executor } from './db.ts';

export async function findRetentionMonths(ex: Executor, tenantId: string): Promise<number | null> {
  const row = await ex.selectFrom('tenantPrivacySettings').select('retentionMonths').where('tenantId', '=', tenantId).executeTakeFirst();
  return row?.retentionMonths ?? null;
}

export async function upsertRetentionMonths(ex: Executor, tenantId: string, retentionMonths: number | null): Promise<void> {
  await ex
    .insertInto('tenantPrivacySettings')
    .values({ tenantId, retentionMonths })
    .onConflict((oc) => oc.column('tenantId').doUpdateSet({ retentionMonths, updatedAt: new Date() }))
    .execute();
}

export function listTenantsWithRetention(ex: Executor): Promise<Array<{ tenantId: string; retentionMonths: number }>> {
  return ex
    .selectFrom('tenantPrivacySettings')
    .select(['tenantId', sql<number>`retention_months`.as('retentionMonths')])
    .where('retentionMonths', 'is not', null)
    .execute();
}

export interface CohortExpiry {
  cohortId: string;
  title: string;
  /** The cohort's end (its course end date; without one, its last launch) or its last check-in, whichever is later. */
  endedAt: Date;
  expiresAt: Date;
  warnedAt: Date | null;
}

/** Every cohort of the tenant with when its data expires under `months`, soonest first. */
export async function listCohortExpiries(ex: Executor, tenantId: string, months: number, opts: { expiresBefore?: Date; limit?: number } = {}): Promise<CohortExpiry[]> {
  const { rows } = await sql<CohortExpiry>`
    WITH ended AS (
      SELECT c.id, c.title, greatest(
        coalesce(s.ends_on::timestamp AT TIME ZONE 'UTC',
          (SELECT max(m.last_launch_at) FROM memberships m WHERE m.tenant_id = c.tenant_id AND m.cohort_id = c.id),
          c.created_at),
        coalesce((SELECT max(ci.created_at) FROM action_plans p JOIN check_ins ci ON ci.tenant_id = p.tenant_id AND ci.plan_id = p.id
                  WHERE p.tenant_id = c.tenant_id AND p.cohort_id = c.id), '-infinity')) AS ended_at
      FROM cohorts c
      LEFT JOIN action_plan_schedules s ON s.tenant_id = c.tenant_id AND s.cohort_id = c.id
      WHERE c.tenant_id = ${tenantId}
    )
    SELECT e.id AS "cohortId", e.title, e.ended_at AS "endedAt", e.ended_at + make_interval(months => ${months}) AS "expiresAt", w.sent_at AS "warnedAt"
    FROM ended e
    LEFT JOIN retention_warnings w ON w.tenant_id = ${tenantId} AND w.cohort_id = e.id
    WHERE ${opts.expiresBefore ?? null}::timestamptz IS NULL OR e.ended_at + make_interval(months => ${months}) <= ${opts.expiresBefore ?? null}::timestamptz
    ORDER BY 4, 2
    LIMIT ${opts.limit ?? null}`.execute(ex);
  return rows;
}

/** Claims the cohort's one warning: true for the first caller only. */
export async function insertRetentionWarning(ex: Executor, w: { tenantId: string; cohortId: string; expiresAt: Date; sentAt: Date }): Promise<boolean> {
  const r = await ex.insertInto('retentionWarnings').values(w).onConflict((oc) => oc.columns(['tenantId', 'cohortId']).doNothing()).returning('cohortId').executeTakeFirst();
  return r !== undefined;
}

/** The cohort's active facilitators the LMS gave an address for. */
export function listFacilitatorAddresses(ex: Executor, tenantId: string, cohortId: string) {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .innerJoin('tenants as t', 't.id', 'm.tenantId')
    // Each in their own language: their choice, else their last launch's, else the deployment's.
    .select(['p.id as personId', 'p.name', 'p.email', sql<string>`coalesce(p.locale, p.launch_locale, t.default_locale)`.as('locale')])
    .where('m.tenantId', '=', tenantId)
    .where('m.cohortId', '=', cohortId)
    .where('m.role', '=', 'facilitator')
    .where('m.status', '=', 'active')
    .where('p.email', 'is not', null)
    .execute() as Promise<Array<{ personId: string; name: string | null; email: string; locale: string }>>;
}

export async function insertRetentionErasure(ex: Executor, e: { tenantId: string; cohortId: string; expiredAt: Date }): Promise<void> {
  await ex.insertInto('retentionErasures').values(e).onConflict((oc) => oc.columns(['tenantId', 'cohortId']).doNothing()).execute();
}

export async function addRetentionProgress(ex: Executor, tenantId: string, cohortId: string, rows: number): Promise<void> {
  await sql`UPDATE retention_erasures SET chunks = chunks + 1, rows_deleted = rows_deleted + ${rows} WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId}`.execute(ex);
}

export async function finishRetentionErasure(ex: Executor, tenantId: string, cohortId: string, at: Date): Promise<void> {
  await ex.updateTable('retentionErasures').set({ finishedAt: at }).where('tenantId', '=', tenantId).where('cohortId', '=', cohortId).execute();
}

export function listRetentionErasures(ex: Executor, tenantId: string, limit = 20) {
  return ex.selectFrom('retentionErasures').selectAll().where('tenantId', '=', tenantId).orderBy('startedAt', 'desc').limit(limit).execute();
}

/**
 * The cohort's big tables, in the order their chunks go: each chunk's cascades stay small (a reply
 * before the post it answers; a plan takes its few check-ins and comments with it).
 */
export const COHORT_CHUNK_STEPS = ['replies', 'posts', 'threads', 'notifications', 'activity_responses', 'module_completions', 'grade_outbox', 'action_plans'] as const;
export type CohortChunkStep = (typeof COHORT_CHUNK_STEPS)[number];

const cohortMemberships = (t: string, c: string) => sql`SELECT m.id FROM memberships m WHERE m.tenant_id = ${t} AND m.cohort_id = ${c}`;
const cohortPosts = (t: string, c: string) => sql`
  SELECT p.id FROM spaces s
  JOIN threads th ON th.tenant_id = s.tenant_id AND th.space_id = s.id
  JOIN posts p ON p.tenant_id = th.tenant_id AND p.thread_id = th.id
  WHERE s.tenant_id = ${t} AND s.cohort_id = ${c}`;

/** Deletes up to `limit` rows of one step's table for the cohort; returns how many went. */
export async function deleteCohortChunk(ex: Executor, tenantId: string, cohortId: string, step: CohortChunkStep, limit: number): Promise<number> {
  const t = tenantId;
  const c = cohortId;
  const ids = {
    replies: sql`${cohortPosts(t, c)} AND p.parent_post_id IS NOT NULL LIMIT ${limit}`,
    posts: sql`${cohortPosts(t, c)} LIMIT ${limit}`,
    threads: sql`SELECT th.id FROM spaces s JOIN threads th ON th.tenant_id = s.tenant_id AND th.space_id = s.id WHERE s.tenant_id = ${t} AND s.cohort_id = ${c} LIMIT ${limit}`,
    notifications: sql`SELECT n.id FROM notifications n WHERE n.tenant_id = ${t} AND n.membership_id IN (${cohortMemberships(t, c)}) LIMIT ${limit}`,
    activity_responses: sql`SELECT r.id FROM activity_responses r WHERE r.tenant_id = ${t} AND r.cohort_id = ${c} LIMIT ${limit}`,
    module_completions: sql`SELECT mc.membership_id FROM module_completions mc WHERE mc.tenant_id = ${t} AND mc.cohort_id = ${c} LIMIT ${limit}`,
    grade_outbox: sql`SELECT g.id FROM grade_outbox g WHERE g.tenant_id = ${t} AND g.membership_id IN (${cohortMemberships(t, c)}) LIMIT ${limit}`,
    action_plans: sql`SELECT a.id FROM action_plans a WHERE a.tenant_id = ${t} AND a.cohort_id = ${c} LIMIT ${limit}`,
  }[step];
  const table = { replies: 'posts', posts: 'posts', threads: 'threads', notifications: 'notifications', activity_responses: 'activity_responses', module_completions: 'module_completions', grade_outbox: 'grade_outbox', action_plans: 'action_plans' }[step];
  const key = step === 'module_completions' ? 'membership_id' : 'id';
  const r = await sql`DELETE FROM ${sql.table(table)} WHERE tenant_id = ${t} AND ${sql.ref(key)} IN (${ids})${step === 'module_completions' ? sql` AND cohort_id = ${c}` : sql``}`.execute(ex);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * The cohort itself (its foreign keys take what is left: memberships, groups, spaces, schedules,
 * settings, figures) and then the people of the tenant left with no cohort at all (their profile,
 * preferences and name go with them). Returns the rows deleted directly.
 */
export async function deleteCohortAndLeftPeople(ex: Executor, tenantId: string, cohortId: string): Promise<number> {
  const cohort = await ex.deleteFrom('cohorts').where('tenantId', '=', tenantId).where('id', '=', cohortId).executeTakeFirst();
  const people = await sql`
    DELETE FROM persons p WHERE p.tenant_id = ${tenantId}
      AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = p.tenant_id AND m.person_id = p.id)`.execute(ex);
  return Number(cohort.numDeletedRows) + Number(people.numAffectedRows ?? 0);
}

export interface TenantCounts {
  tenantId: string;
  people: number;
  cohorts: number;
  posts: number;
  files: number;
  oldestData: Date | null;
}

/** Per tenant of the list, in one query: people (not former participants), cohorts, posts, files (attachments, posted or pending), the oldest cohort. */
export async function listTenantCounts(ex: Executor, tenantIds: string[]): Promise<TenantCounts[]> {
  if (tenantIds.length === 0) return [];
  const { rows } = await sql<TenantCounts>`
    SELECT t.id AS "tenantId",
      (SELECT count(*) FROM persons p WHERE p.tenant_id = t.id AND NOT p.former_participant)::int AS people,
      (SELECT count(*) FROM cohorts c WHERE c.tenant_id = t.id)::int AS cohorts,
      (SELECT count(*) FROM posts po WHERE po.tenant_id = t.id)::int AS posts,
      (SELECT count(*) FROM attachments f WHERE f.tenant_id = t.id AND f.state = 'ready')::int AS files,
      (SELECT min(c.created_at) FROM cohorts c WHERE c.tenant_id = t.id) AS "oldestData"
    FROM unnest(${tenantIds}::uuid[]) AS t(id)`.execute(ex);
  return rows;
}

// The demo platform's own rows (its key, its gradebook) and the demo tenant's erase. Every statement
// that touches tenant data checks that the tenant hangs under a platform marked demo.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { Platform } from './schema.ts';

export function findDemoPlatformKey(ex: Executor, issuer: string) {
  return ex.selectFrom('demoPlatformKeys').selectAll().where('issuer', '=', issuer).executeTakeFirst();
}

/** Keeps the first key written for the issuer (two processes may make one at once). */
export async function insertDemoPlatformKey(ex: Executor, row: { issuer: string; kid: string; privateKey: string; publicJwk: string }): Promise<void> {
  await ex.insertInto('demoPlatformKeys').values(row).onConflict((oc) => oc.column('issuer').doNothing()).execute();
}

export function findPlatformOfIssuer(ex: Executor, issuer: string, clientId: string): Promise<Platform | undefined> {
  return ex.selectFrom('platforms').selectAll().where('issuer', '=', issuer).where('clientId', '=', clientId).executeTakeFirst();
}

export async function markPlatformDemo(ex: Executor, platformId: string): Promise<void> {
  await ex.updateTable('platforms').set({ demo: true, updatedAt: new Date() }).where('id', '=', platformId).execute();
}

/** Whether the tenant is a deployment of the demo platform. */
export async function isDemoTenant(ex: Executor, tenantId: string): Promise<boolean> {
  const row = await ex
    .selectFrom('tenants as t')
    .innerJoin('platforms as p', 'p.id', 't.platformId')
    .select('p.demo')
    .where('t.id', '=', tenantId)
    .executeTakeFirst();
  return row?.demo === true;
}

/** The demo tenant's cohort of a course, if seeded. */
export function findDemoCohort(ex: Executor, tenantId: string, contextId: string) {
  return ex.selectFrom('cohorts').select(['id', 'title']).where('tenantId', '=', tenantId).where('contextId', '=', contextId).executeTakeFirst();
}

/** The people of the demo tenant's cohort, with their role, for the "Open as" list. */
export function listDemoMembers(ex: Executor, tenantId: string, cohortId: string) {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as pe', (j) => j.onRef('pe.tenantId', '=', 'm.tenantId').onRef('pe.id', '=', 'm.personId'))
    .select(['m.id as membershipId', 'pe.sub', 'pe.name', 'm.role'])
    .where('m.tenantId', '=', tenantId)
    .where('m.cohortId', '=', cohortId)
    .execute();
}

const demoTenantOnly = (tenantId: string) => sql<boolean>`${tenantId}::uuid IN (SELECT t.id FROM tenants t JOIN platforms p ON p.id = t.platform_id WHERE p.demo)`;

/**
 * Erases the demo tenant's cohorts and people (everything else of theirs goes with them, by the
 * foreign keys' cascades); the tenant and its platform stay. A tenant of any other platform is left
 * untouched: the statement itself checks the demo mark. Returns the cohorts erased.
 */
/** The demo tenant's cohorts (the current one and its past ones). */
export async function listDemoCohortIds(ex: Executor, tenantId: string): Promise<string[]> {
  return (await ex.selectFrom('cohorts').select('id').where('tenantId', '=', tenantId).where(demoTenantOnly(tenantId)).execute()).map((c) => c.id);
}

export async function deleteDemoTenantRows(ex: Executor, tenantId: string): Promise<number> {
  const cohorts = await ex.deleteFrom('cohorts').where('tenantId', '=', tenantId).where(demoTenantOnly(tenantId)).executeTakeFirst();
  await ex.deleteFrom('persons').where('tenantId', '=', tenantId).where(demoTenantOnly(tenantId)).execute();
  return Number(cohorts.numDeletedRows);
}

export async function upsertDemoScore(ex: Executor, row: { issuer: string; lineItem: string; userSub: string; scoreGiven: number | null; scoreMaximum: number | null; activityProgress: string; gradingProgress: string; comment: string | null; scoredAt: Date }): Promise<void> {
  await ex
    .insertInto('demoScores')
    .values(row)
    .onConflict((oc) => oc.columns(['issuer', 'lineItem', 'userSub']).doUpdateSet((eb) => ({
      scoreGiven: eb.ref('excluded.scoreGiven'),
      scoreMaximum: eb.ref('excluded.scoreMaximum'),
      activityProgress: eb.ref('excluded.activityProgress'),
      gradingProgress: eb.ref('excluded.gradingProgress'),
      comment: eb.ref('excluded.comment'),
      scoredAt: eb.ref('excluded.scoredAt'),
      receivedAt: sql`now()`,
    })))
    .execute();
}

export function listDemoScores(ex: Executor, issuer: string) {
  return ex.selectFrom('demoScores').selectAll().where('issuer', '=', issuer).orderBy('lineItem').orderBy('userSub').execute();
}

export async function deleteDemoScores(ex: Executor, issuer: string): Promise<void> {
  await ex.deleteFrom('demoScores').where('issuer', '=', issuer).execute();
}

/** The session lock held while the demo cohort is made or erased (one seed at a time, across processes). */
export const DEMO_LOCK_KEY = 0x0dec0de;

export async function lockDemo(ex: Executor): Promise<void> {
  await sql`SELECT pg_advisory_lock(${DEMO_LOCK_KEY})`.execute(ex);
}

export async function unlockDemo(ex: Executor): Promise<void> {
  await sql`SELECT pg_advisory_unlock(${DEMO_LOCK_KEY})`.execute(ex);
}

/** Whether some connection holds the demo lock now (the cohort is being made or erased). */
export async function isDemoLocked(ex: Executor): Promise<boolean> {
  const r = await sql<{ held: boolean }>`
    SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = ${DEMO_LOCK_KEY} AND objsubid = 1 AND granted) AS held`.execute(ex);
  return r.rows[0]?.held === true;
}

/**
 * The seed writes everything "now"; these move the demo cohort's rows to when its made-up people
 * would have written them: each module's posts in the days after it opened, replies hours apart,
 * submissions during the module's week, completions after the work that made them. Presentation
 * only (relative times, the weekly charts); run in the seed's last transaction, demo tenant only.
 */
export const BACKDATE_STATEMENTS = [
  // Posts: their module's open date (the commons: module 1's) plus a day, then ~9 hours per reply.
  (t: string, c: string) => sql`
    UPDATE posts p SET created_at = ms.opens_at + make_interval(hours => (20 + 9 * x.rn + abs(hashtext(p.id::text)) % 4)::int)
    FROM (SELECT p2.id, coalesce(s.module_id, 1) AS module_id, row_number() OVER (PARTITION BY p2.thread_id ORDER BY p2.created_at, p2.id) AS rn
          FROM posts p2 JOIN spaces s ON s.tenant_id = p2.tenant_id AND s.id = p2.space_id WHERE p2.tenant_id = ${t} AND s.cohort_id = ${c}) x
    JOIN module_schedules ms ON ms.tenant_id = ${t} AND ms.cohort_id = ${c} AND ms.module_id = x.module_id
    WHERE p.tenant_id = ${t} AND p.id = x.id AND ${demoTenantOnly(t)}`,
  (t: string, c: string) => sql`
    UPDATE threads th SET created_at = x.first, last_post_at = x.last
    FROM (SELECT p.thread_id, min(p.created_at) AS first, max(p.created_at) AS last FROM posts p JOIN spaces s ON s.tenant_id = p.tenant_id AND s.id = p.space_id
          WHERE p.tenant_id = ${t} AND s.cohort_id = ${c} GROUP BY p.thread_id) x
    WHERE th.tenant_id = ${t} AND th.id = x.thread_id AND ${demoTenantOnly(t)}`,
  (t: string) => sql`
    UPDATE kudos k SET created_at = p.created_at + interval '5 hours' FROM posts p
    WHERE k.tenant_id = ${t} AND p.tenant_id = k.tenant_id AND p.id = k.post_id AND ${demoTenantOnly(t)}`,
  (t: string) => sql`
    UPDATE post_flags f SET created_at = p.created_at + interval '1 day' FROM posts p
    WHERE f.tenant_id = ${t} AND p.tenant_id = f.tenant_id AND p.id = f.post_id AND ${demoTenantOnly(t)}`,
  (t: string) => sql`
    UPDATE notifications n SET created_at = p.created_at + interval '1 minute' FROM posts p
    WHERE n.tenant_id = ${t} AND p.tenant_id = n.tenant_id AND p.id = n.post_id AND ${demoTenantOnly(t)}`,
  // Submissions: one to four days into their module's week.
  (t: string, c: string) => sql`
    UPDATE activity_responses r SET created_at = ms.opens_at + make_interval(hours => 24 + abs(hashtext(r.id::text)) % 72),
      updated_at = ms.opens_at + make_interval(hours => 24 + abs(hashtext(r.id::text)) % 72),
      submitted_at = CASE WHEN r.submitted_at IS NULL THEN NULL ELSE ms.opens_at + make_interval(hours => 24 + abs(hashtext(r.id::text)) % 72) END
    FROM module_schedules ms
    WHERE r.tenant_id = ${t} AND r.cohort_id = ${c} AND ms.tenant_id = r.tenant_id AND ms.cohort_id = r.cohort_id AND ms.module_id = r.module_id AND ${demoTenantOnly(t)}`,
  // A completion: when the last of the learner's work in that module was written.
  (t: string, c: string) => sql`
    UPDATE module_completions mc SET completed_at = greatest(
      (SELECT max(r.submitted_at) FROM activity_responses r WHERE r.tenant_id = mc.tenant_id AND r.membership_id = mc.membership_id AND r.module_id = mc.module_id),
      (SELECT max(p.created_at) FROM posts p JOIN spaces s ON s.tenant_id = p.tenant_id AND s.id = p.space_id
        WHERE p.tenant_id = mc.tenant_id AND p.author_membership_id = mc.membership_id AND s.module_id = mc.module_id AND s.group_id IS NOT NULL)) + interval '1 minute'
    WHERE mc.tenant_id = ${t} AND mc.cohort_id = ${c} AND ${demoTenantOnly(t)}`,
  // Plans: written in module 9's week.
  (t: string, c: string) => sql`
    UPDATE action_plans ap SET created_at = ms.opens_at + interval '3 days', updated_at = ms.opens_at + interval '4 days',
      submitted_at = CASE WHEN ap.submitted_at IS NULL THEN NULL ELSE ms.opens_at + interval '4 days' END
    FROM module_schedules ms
    WHERE ap.tenant_id = ${t} AND ap.cohort_id = ${c} AND ms.tenant_id = ap.tenant_id AND ms.cohort_id = ap.cohort_id AND ms.module_id = 9 AND ${demoTenantOnly(t)}`,
] as const;

export async function backdateDemoCohort(ex: Executor, tenantId: string, cohortId: string): Promise<void> {
  for (const statement of BACKDATE_STATEMENTS) await statement(tenantId, cohortId).execute(ex);
}

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

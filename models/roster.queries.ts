// Roster sync (NRPS): where a cohort's member list comes from, and applying it. One statement each.
import type pg from 'pg';
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { MembershipRole, MembershipStatus, PlatformStatus, TenantStatus } from './schema.ts';
import { SERVICE_PLATFORM_COLUMNS } from './platforms.queries.ts';

export interface RosterSource {
  cohortId: string;
  nrpsUrl: string | null;
  rosterSyncedAt: Date | null;
  tenantStatus: TenantStatus;
  platformStatus: PlatformStatus;
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  authorizationServer: string | null;
  toolKid: string;
}

/** The cohort's roster URL with the platform that serves it (and whether both are still active). */
export function findRosterSource(ex: Executor, tenantId: string, cohortId: string): Promise<RosterSource | undefined> {
  return ex
    .selectFrom('cohorts as c')
    .innerJoin('tenants as t', 't.id', 'c.tenantId')
    .innerJoin('platforms as p', 'p.id', 't.platformId')
    .select([
      'c.id as cohortId',
      'c.nrpsUrl',
      'c.rosterSyncedAt',
      't.status as tenantStatus',
      'p.status as platformStatus',
      ...SERVICE_PLATFORM_COLUMNS,
    ])
    .where('c.tenantId', '=', tenantId)
    .where('c.id', '=', cohortId)
    .executeTakeFirst();
}

export interface RosterPerson {
  sub: string;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
}

/**
 * Inserts the people the LMS listed, and refreshes those known. A field the roster leaves out keeps
 * the value a launch gave (LMSs share names at launch and in NRPS under separate privacy settings).
 * Rows whose values would not change are not rewritten (but are locked, as every conflicting row is).
 * Rows are written in the order of their key, not the LMS's: two syncs of one tenant lock the
 * people they share in the same order, so neither can hold one while waiting for another the other holds.
 */
export async function upsertRosterPersons(ex: Executor, tenantId: string, persons: RosterPerson[]): Promise<void> {
  if (persons.length === 0) return;
  const keep = (col: string) => sql.raw<string | null>(`coalesce(excluded.${col}, persons.${col})`);
  await ex
    .insertInto('persons')
    .values(byKey(persons, (p) => p.sub).map((p) => ({ tenantId, ...p })))
    .onConflict((oc) =>
      oc
        .columns(['tenantId', 'sub'])
        .doUpdateSet({
          name: keep('name'),
          givenName: keep('given_name'),
          familyName: keep('family_name'),
          email: keep('email'),
          updatedAt: sql`now()`,
        })
        .where(
          sql<boolean>`(persons.name, persons.given_name, persons.family_name, persons.email) IS DISTINCT FROM
            (${keep('name')}, ${keep('given_name')}, ${keep('family_name')}, ${keep('email')})`,
        ),
    )
    .execute();
}

export function listPersonIdsBySub(ex: Executor, tenantId: string, subs: string[]): Promise<Array<{ id: string; sub: string }>> {
  if (subs.length === 0) return Promise.resolve([]);
  return ex.selectFrom('persons').select(['id', 'sub']).where('tenantId', '=', tenantId).where('sub', 'in', subs).execute();
}

export interface RosterMembershipRow {
  membershipId: string;
  personId: string;
  role: MembershipRole;
  lmsRoles: string[];
  status: MembershipStatus;
  firstLaunchAt: Date | null;
}

export function listCohortMembershipStates(ex: Executor, tenantId: string, cohortId: string): Promise<RosterMembershipRow[]> {
  return ex
    .selectFrom('memberships')
    .select(['id as membershipId', 'personId', 'role', 'lmsRoles', 'status', 'firstLaunchAt'])
    .where('tenantId', '=', tenantId)
    .where('cohortId', '=', cohortId)
    .execute();
}

/** New memberships of people who have not launched (no launch timestamps), in the order of their key. A concurrent launch wins. */
export async function insertRosterMemberships(
  ex: Executor,
  tenantId: string,
  cohortId: string,
  rows: Array<{ personId: string; role: MembershipRole; lmsRoles: string[] }>,
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await ex
    .insertInto('memberships')
    .values(byKey(rows, (r) => r.personId).map((r) => ({ tenantId, cohortId, ...r, status: 'active' as const })))
    .onConflict((oc) => oc.columns(['tenantId', 'cohortId', 'personId']).doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}

export async function updateMembershipStatuses(
  ex: Executor,
  tenantId: string,
  cohortId: string,
  membershipIds: string[],
  status: MembershipStatus,
): Promise<void> {
  if (membershipIds.length === 0) return;
  await ex
    .updateTable('memberships')
    .set({ status })
    .where('tenantId', '=', tenantId)
    .where('cohortId', '=', cohortId)
    .where('id', 'in', membershipIds)
    .execute();
}

export async function updateMembershipRole(
  ex: Executor,
  tenantId: string,
  membershipId: string,
  change: { role: MembershipRole; lmsRoles: string[] },
): Promise<void> {
  await ex.updateTable('memberships').set(change).where('tenantId', '=', tenantId).where('id', '=', membershipId).execute();
}

/**
 * Stamps the sync (committed with it). A sync calls it first: it takes the cohort's row lock, which
 * every launch into the cohort takes first too (upsertLaunch), so a launch and a sync of one cohort
 * queue for it instead of each holding what the other needs (a person, a membership).
 */
export async function updateCohortRosterSyncedAt(ex: Executor, tenantId: string, cohortId: string): Promise<void> {
  await ex.updateTable('cohorts').set({ rosterSyncedAt: sql<Date>`now()` }).where('tenantId', '=', tenantId).where('id', '=', cohortId).execute();
}

/**
 * Cohorts whose roster is due: an NRPS URL, an active deployment and platform, and no sync since
 * `syncedBefore` (never synced first). This is the one roster query across tenants: the scheduler
 * lists (tenant, cohort) pairs, and each sync then runs scoped to its own tenant.
 */
export function listCohortsDueForRosterSync(
  ex: Executor,
  opts: { syncedBefore: Date; limit: number },
): Promise<Array<{ tenantId: string; cohortId: string }>> {
  return ex
    .selectFrom('cohorts as c')
    .innerJoin('tenants as t', 't.id', 'c.tenantId')
    .innerJoin('platforms as p', 'p.id', 't.platformId')
    .select(['c.tenantId', 'c.id as cohortId'])
    .where('c.nrpsUrl', 'is not', null)
    .where('t.status', '=', 'active')
    .where('p.status', '=', 'active')
    .where((eb) => eb.or([eb('c.rosterSyncedAt', 'is', null), eb('c.rosterSyncedAt', '<', opts.syncedBefore)]))
    .orderBy(sql`c.roster_synced_at NULLS FIRST`)
    .limit(opts.limit)
    .execute();
}

/** A sorted copy: bulk writes go in key order, the one lock order for every writer. */
function byKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export const ROSTER_SYNCED_CHANNEL = 'circlework_roster_synced';

/** Queues a notice of the sync for delivery at commit (nothing is sent if it rolls back). */
export async function notifyRosterSynced(ex: Executor, tenantId: string, cohortId: string): Promise<void> {
  await sql`SELECT pg_notify(${ROSTER_SYNCED_CHANNEL}, ${JSON.stringify({ tenantId, cohortId })})`.execute(ex);
}

/**
 * Resolves true when a sync of the cohort commits within `timeoutMs`, or `isSynced` already says so
 * (asked once listening, so a sync that commits meanwhile is not missed); false when time runs out.
 * Holds one pool connection (LISTEN) while it waits.
 */
export async function waitForRosterSynced(
  pool: pg.Pool,
  where: { tenantId: string; cohortId: string },
  timeoutMs: number,
  isSynced: () => Promise<boolean>,
): Promise<boolean> {
  const client = await pool.connect();
  let timer: NodeJS.Timeout | undefined;
  let onNotification: ((msg: pg.Notification) => void) | undefined;
  try {
    const synced = new Promise<boolean>((resolve) => {
      onNotification = (msg) => {
        if (msg.channel !== ROSTER_SYNCED_CHANNEL || !msg.payload) return;
        const about = JSON.parse(msg.payload) as { tenantId?: string; cohortId?: string };
        if (about.tenantId === where.tenantId && about.cohortId === where.cohortId) resolve(true);
      };
      client.on('notification', onNotification);
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    await client.query(`LISTEN ${ROSTER_SYNCED_CHANNEL}`);
    if (await isSynced()) return true;
    return await synced;
  } finally {
    clearTimeout(timer);
    if (onNotification) client.off('notification', onNotification);
    // UNLISTEN before the connection goes back to the pool, so no other user receives these.
    await client.query(`UNLISTEN ${ROSTER_SYNCED_CHANNEL}`).then(
      () => client.release(),
      (err: Error) => client.release(err),
    );
  }
}

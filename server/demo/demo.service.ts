// The demo cohort: made once (demo-seed.ts), erased and made again on request, listed for "Open as".
// One seed at a time across processes (a PostgreSQL advisory lock); the page shows it coming.
import type { Db } from '../../models/db.ts';
import * as demo from '../../models/demo.queries.ts';
import * as groupQueries from '../../models/groups.queries.ts';
import type { ModulesDeps } from '../modules/modules.service.ts';
import type { DiscussionsDeps } from '../discussions/discussions.service.ts';
import type { ActionPlansDeps } from '../action-plans/action-plans.service.ts';
import { demoPlatformUrls, ensureDemoPlatform, type DemoPlatformDeps } from './demo-platform.ts';
import { DEMO_COURSE, DEMO_PEOPLE, fullName, type DemoPerson } from './demo-cohort.ts';
import { seedDemoCohort } from './demo-seed.ts';

export interface DemoDeps extends DemoPlatformDeps {
  log: { error: (obj: object, msg: string) => void };
  modules: ModulesDeps;
  discussions: DiscussionsDeps;
  /** Without a queue: the made-up people are sent no email. */
  actionPlans: Omit<ActionPlansDeps, 'queue'>;
}

export interface DemoCohort { tenantId: string; cohortId: string; title: string; created: boolean }

/** The demo cohort, seeded now if the demo tenant has none (twice in a row: the same cohort). */
export async function ensureDemoCohort(deps: DemoDeps): Promise<DemoCohort> {
  const { platform, tenant } = await ensureDemoPlatform(deps);
  const existing = await demo.findDemoCohort(deps.db, tenant.id, DEMO_COURSE.id);
  if (existing) return { tenantId: tenant.id, cohortId: existing.id, title: existing.title ?? DEMO_COURSE.title, created: false };
  return withDemoLock(deps.db, async () => {
    const again = await demo.findDemoCohort(deps.db, tenant.id, DEMO_COURSE.id);
    if (again) return { tenantId: tenant.id, cohortId: again.id, title: again.title ?? DEMO_COURSE.title, created: false };
    try {
      const cohortId = await seedDemoCohort(deps, { tenantId: tenant.id, platformId: platform.id });
      return { tenantId: tenant.id, cohortId, title: DEMO_COURSE.title, created: true };
    } catch (err) {
      // Half a cohort is worse than none: the next visit seeds it whole.
      await demo.deleteDemoTenantRows(deps.db, tenant.id);
      throw err;
    }
  });
}

/** Erases the demo tenant's people, cohort and scores (nothing of any other tenant). */
async function eraseDemo(deps: DemoDeps): Promise<void> {
  const { tenant } = await ensureDemoPlatform(deps);
  await withDemoLock(deps.db, async () => {
    await demo.deleteDemoTenantRows(deps.db, tenant.id);
    await demo.deleteDemoScores(deps.db, demoPlatformUrls(deps.config).issuer);
  });
}

async function withDemoLock<T>(db: Db, work: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await demo.lockDemo(conn);
    try {
      return await work();
    } finally {
      await demo.unlockDemo(conn);
    }
  });
}

/** Seeds in the background (a few seconds of work), once per process at a time; failures are logged. */
const seeding = new Map<string, Promise<unknown>>();
export function startDemoCohort(deps: DemoDeps, onError: (err: unknown) => void, work: (deps: DemoDeps) => Promise<unknown> = ensureDemoCohort): void {
  const key = demoPlatformUrls(deps.config).issuer;
  if (seeding.has(key)) return;
  const run = work(deps).catch(onError).finally(() => seeding.delete(key));
  seeding.set(key, run);
}

/**
 * Erases the demo cohort now and makes it again in the background. The erase is done before this
 * returns, so the page that follows can never offer the old cohort's people while a reset is pending.
 */
export async function startDemoReset(deps: DemoDeps, onError: (err: unknown) => void): Promise<void> {
  await seeding.get(demoPlatformUrls(deps.config).issuer);
  await eraseDemo(deps);
  startDemoCohort(deps, onError);
}

export type DemoState = 'absent' | 'seeding' | 'ready';

/** The people the demo page offers to open as, facilitator first. */
export async function listDemoPeople(deps: DemoDeps): Promise<{ state: DemoState; cohort: DemoCohort | undefined; people: Array<DemoPerson & { name: string; groupName: string | null }> }> {
  const { tenant } = await ensureDemoPlatform(deps);
  const [cohort, locked] = await Promise.all([demo.findDemoCohort(deps.db, tenant.id, DEMO_COURSE.id), demo.isDemoLocked(deps.db)]);
  if (locked) return { state: 'seeding', cohort: undefined, people: [] };
  if (!cohort) return { state: 'absent', cohort: undefined, people: [] };
  const [groups, members, subs] = await Promise.all([
    groupQueries.listGroups(deps.db, tenant.id, cohort.id),
    groupQueries.listGroupMembers(deps.db, tenant.id, cohort.id),
    demo.listDemoMembers(deps.db, tenant.id, cohort.id),
  ]);
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  const groupOfMembership = new Map(members.map((m) => [m.membershipId, groupName.get(m.groupId) ?? null]));
  const groupOfSub = new Map(subs.map((s) => [s.sub, groupOfMembership.get(s.membershipId) ?? null]));
  return {
    state: 'ready',
    cohort: { tenantId: tenant.id, cohortId: cohort.id, title: cohort.title ?? DEMO_COURSE.title, created: false },
    people: DEMO_PEOPLE.filter((p) => groupOfSub.has(p.sub)).map((p) => ({ ...p, name: fullName(p), groupName: groupOfSub.get(p.sub) ?? null })),
  };
}

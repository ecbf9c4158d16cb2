// The app's in-process caches (frame origins, membership standing, cohort rows, module schedules,
// cohorts' analytics settings and people; sessions in server/http/session.ts) over one SharedCache, pages of
// threads over another (bounded by their size), and the LISTEN connection that keeps them true
// across processes (tags are named by the triggers of migrations 20261204T1200 and later).
import type { Logger } from 'pino';
import type { Db, DbHandle } from '../../models/db.ts';
import { listFrameOrigins } from '../../models/platforms.queries.ts';
import { findCohort, findMembershipStanding, type MembershipStanding } from '../../models/cohorts.queries.ts';
import { listModuleSchedules, type ModuleScheduleRow } from '../../models/modules.queries.ts';
import { findAnalyticsSettings, readCohortPeople, type AnalyticsSettingsRow, type CohortPeopleRows } from '../../models/analytics.queries.ts';
import type { Cohort } from '../../models/schema.ts';
import type { ThreadPage } from '../../models/thread-page.queries.ts';
import type { MemberTablePage } from '../../models/console.queries.ts';
import { listenOnPoolConnections, listenToCacheInvalidations } from '../../models/cache-invalidations.ts';
import { SharedCache } from './shared-cache.ts';

export interface AppCaches {
  /** The one cache; the session store keeps sessions in it too. */
  shared: SharedCache;
  frameOrigins(): Promise<readonly string[]>;
  /**
   * Role, membership/deployment/platform status and unread notifications of one membership; `fresh`
   * reads past the cache (before refusing: a change for the better may not have been heard of yet).
   */
  membershipStanding(tenantId: string, membershipId: string, opts?: { fresh?: boolean }): Promise<MembershipStanding | undefined>;
  /**
   * Runs `record` (a launch's statement, which reads the standing of the membership it records) and
   * keeps the standing `standingOf` finds in its result as membershipStanding would: the launch's
   * first page asks PostgreSQL nothing about it.
   */
  keepStandingFrom<R>(tenantId: string, record: () => Promise<R>, standingOf: (result: R) => { membershipId: string; standing: MembershipStanding }): Promise<R>;
  /** A cohort's row. */
  cohort(tenantId: string, cohortId: string): Promise<Cohort | undefined>;
  /** A cohort's saved open dates (none saved: empty). */
  moduleSchedule(tenantId: string, cohortId: string): Promise<readonly ModuleScheduleRow[]>;
  /** A cohort's saved analytics settings (none saved: undefined). */
  analyticsSettings(tenantId: string, cohortId: string): Promise<AnalyticsSettingsRow | undefined>;
  /** A cohort's active learners (with their group and last launch) and its groups, as the facilitator's pages of figures read them. */
  cohortPeople(tenantId: string, cohortId: string): Promise<CohortPeopleRows>;
  /** One page of the console's member table (listMemberTablePage), as `load` reads it: dropped with the cohort's people. */
  memberTablePage(tenantId: string, cohortId: string, after: string | undefined, load: () => Promise<MemberTablePage>): Promise<MemberTablePage>;
  /** One window of a thread's posts, as every reader shares it (server/discussions/discussions.service.ts, threadPageFor). */
  threadPage(tenantId: string, threadId: string, window: string, load: () => Promise<ThreadPage | undefined>): Promise<ThreadPage | undefined>;
  /** The cache of thread pages (its own: their size varies a thousandfold). */
  threadPages: SharedCache;
  /** Resolves once the LISTEN connection is up (until then every read goes to the database). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

// 20 000 entries of a few hundred bytes each: a few MB at most. The TTL is only a backstop.
const MAX_ENTRIES = 20_000;
const TTL_MS = 10 * 60_000;
// Thread pages are weighed by the characters of their posts' HTML (about 2 bytes each) and a row's
// other fields: 4 M in all is some 10 MB, a few hundred pages of a busy cohort.
const THREAD_PAGES_WEIGHT = 4_000_000;
const THREAD_PAGE_ROW_WEIGHT = 400;
const threadPageWeight = (page: ThreadPage) => page.posts.reduce((sum, p) => sum + p.bodyHtml.length + THREAD_PAGE_ROW_WEIGHT, 0);

const standingKey = (tenantId: string, membershipId: string) => `standing:${tenantId}:${membershipId}`;
// Which platform a tenant belongs to is not in the row: any platform change drops them all (rare).
const standingTags = (tenantId: string, membershipId: string) => [`membership:${tenantId}:${membershipId}`, `tenant:${tenantId}`, 'platforms'];

/** Rows the process's readers share: frozen, each and all. */
const frozenRows = <R extends object>(rows: readonly R[]): readonly R[] => Object.freeze(rows.map((r) => Object.freeze(r)));

/** `shuttingDown`: whether the process is stopping (the listener's connection ending is expected then, and not logged). */
export function createAppCaches(deps: { db: Db; pool: DbHandle['pool']; log: Logger; shuttingDown?: () => boolean }): AppCaches {
  const shared = new SharedCache({ maxEntries: MAX_ENTRIES, ttlMs: TTL_MS });
  const threadPages = new SharedCache({ maxEntries: MAX_ENTRIES, ttlMs: TTL_MS, maxWeight: THREAD_PAGES_WEIGHT });
  const caches = [shared, threadPages];
  const invalidate = (tags: string[]) => caches.forEach((c) => c.invalidate(tags));
  listenOnPoolConnections(deps.pool, invalidate);
  const listener = listenToCacheInvalidations(String(deps.pool.options.connectionString), {
    onTags: invalidate,
    onUp: () => caches.forEach((c) => c.setListening(true)),
    onDown: () => {
      caches.forEach((c) => c.setListening(false));
      if (!deps.shuttingDown?.()) deps.log.warn('cache invalidations not heard: caches bypassed until the listener is back');
    },
    onError: (err) => {
      if (!deps.shuttingDown?.()) deps.log.warn({ err }, 'cache invalidations listener');
    },
  });
  return {
    shared,
    frameOrigins: async () => (await shared.read('frame-origins', async () => Object.freeze(await listFrameOrigins(deps.db)), () => ({ tags: ['platforms'] }))) ?? [],
    membershipStanding: (tenantId, membershipId, opts) => {
      const key = standingKey(tenantId, membershipId);
      if (opts?.fresh) shared.forget(key);
      return shared.read(
        key,
        async () => {
          const standing = await findMembershipStanding(deps.db, tenantId, membershipId);
          return standing && Object.freeze(standing);
        },
        () => ({ tags: standingTags(tenantId, membershipId) }),
      );
    },
    keepStandingFrom: (tenantId, record, standingOf) =>
      shared.loadAndKeep(
        record,
        (result) => {
          const { membershipId, standing } = standingOf(result);
          return { key: standingKey(tenantId, membershipId), value: Object.freeze(standing), tags: standingTags(tenantId, membershipId) };
        },
      ),
    cohort: (tenantId, cohortId) =>
      shared.read(
        `cohort:${tenantId}:${cohortId}`,
        async () => {
          const cohort = await findCohort(deps.db, tenantId, cohortId);
          return cohort && Object.freeze(cohort);
        },
        () => ({ tags: [`cohort:${tenantId}:${cohortId}`, `tenant:${tenantId}`] }),
      ),
    // Dropped by the trigger of migration 20261206T0000 (an insert too: an empty schedule is kept).
    moduleSchedule: async (tenantId, cohortId) =>
      (await shared.read(
        `schedule:${tenantId}:${cohortId}`,
        // The process's readers share the rows: frozen (moduleOpenDates hands out copies of the dates).
        async () => frozenRows(await listModuleSchedules(deps.db, tenantId, cohortId)),
        () => ({ tags: [`schedule:${tenantId}:${cohortId}`, `tenant:${tenantId}`] }),
      )) ?? [],
    // Dropped by the trigger of migration 20261206T0100 (an insert too: "none saved" is kept).
    analyticsSettings: async (tenantId, cohortId) =>
      (
        await shared.read(
          `analytics-settings:${tenantId}:${cohortId}`,
          async () => Object.freeze({ saved: await findAnalyticsSettings(deps.db, tenantId, cohortId).then((r) => r && Object.freeze(r)) }),
          () => ({ tags: [`analytics-settings:${tenantId}:${cohortId}`, `tenant:${tenantId}`] }),
        )
      )?.saved,
    // Dropped by the triggers of migration 20261206T0300: a launch, a roster change, a group, a member moved, a name.
    cohortPeople: async (tenantId, cohortId) =>
      (await shared.read(
        `cohort-people:${tenantId}:${cohortId}`,
        // The process's pages share the rows, and what they make of them is kept by them: frozen.
        async () => {
          const { learners, groups } = await readCohortPeople(deps.db, tenantId, cohortId);
          return Object.freeze({ learners: frozenRows(learners), groups: frozenRows(groups) });
        },
        () => ({ tags: [`cohort-people:${tenantId}:${cohortId}`, `tenant:${tenantId}`] }),
      ))!,
    // The same triggers: a member's name, email, role, access and last launch are the cohort's people's.
    memberTablePage: async (tenantId, cohortId, after, load) =>
      (await shared.read(
        `member-table:${tenantId}:${cohortId}:${after ?? ''}`,
        async () => {
          const page = await load();
          return Object.freeze({ ...page, members: frozenRows(page.members) as MemberTablePage['members'] });
        },
        () => ({ tags: [`cohort-people:${tenantId}:${cohortId}`, `tenant:${tenantId}`] }),
      ))!,
    // Dropped by the triggers of migration 20261206T0200: the thread's posts, kudos and files; any name, role or photo of the tenant.
    threadPage: (tenantId, threadId, window, load) =>
      threadPages.read(`thread-page:${tenantId}:${threadId}:${window}`, load, (page) => ({
        tags: [`thread:${tenantId}:${threadId}`, `thread-pages:${tenantId}`, `tenant:${tenantId}`],
        weight: threadPageWeight(page),
      })),
    threadPages,
    ready: () => listener.ready,
    close: () => listener.close(),
  };
}

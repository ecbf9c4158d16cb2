import { sql, type RawBuilder } from 'kysely';
import { executeAsNamed, type Executor } from './db.ts';
import type { Cohort, Membership, MembershipRole, Person, ResourceLink } from './schema.ts';
import { AGS_SCORE_SCOPE } from './resource-links.queries.ts';
import { consumeLtiLogin, type LtiLogin } from './lti-logins.queries.ts';

export function findCohort(ex: Executor, tenantId: string, cohortId: string): Promise<Cohort | undefined> {
  return ex.selectFrom('cohorts').selectAll().where('tenantId', '=', tenantId).where('id', '=', cohortId).executeTakeFirst();
}

export interface CohortMemberRow {
  membershipId: string;
  personId: string;
  name: string | null;
  email: string | null;
  role: MembershipRole;
  status: Membership['status'];
  lastLaunchAt: Date | null;
}

export function listCohortMembers(ex: Executor, tenantId: string, cohortId: string): Promise<CohortMemberRow[]> {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select([
      'm.id as membershipId',
      'p.id as personId',
      'p.name',
      'p.email',
      'm.role',
      'm.status',
      'm.lastLaunchAt',
    ])
    .where('m.tenantId', '=', tenantId)
    .where('m.cohortId', '=', cohortId)
    .orderBy('m.role', 'desc')
    .orderBy('p.name')
    .execute();
}

export function findMembership(ex: Executor, tenantId: string, membershipId: string): Promise<Membership | undefined> {
  return ex.selectFrom('memberships').selectAll().where('tenantId', '=', tenantId).where('id', '=', membershipId).executeTakeFirst();
}

/**
 * The header's unread count stops here (it shows "99+"): counting a person's every unread
 * notification would cost in proportion to how many they let pile up, on every page they open.
 */
export const UNREAD_COUNT_CAP = 100;

/** What a session's launch is still worth: the membership's role and whether every level is active; unread notifications up to UNREAD_COUNT_CAP. */
export interface MembershipStanding {
  role: MembershipRole;
  membershipStatus: string;
  tenantStatus: string;
  platformStatus: string;
  unreadNotifications: number;
}

export function findMembershipStanding(ex: Executor, tenantId: string, membershipId: string): Promise<MembershipStanding | undefined> {
  return membershipStandingQuery(ex, tenantId, membershipId).executeTakeFirst();
}

/**
 * A membership's unread notifications, counted up to UNREAD_COUNT_CAP. A mention in a post hidden or
 * deleted since is not counted, as the list leaves it out. The post's status as a scalar subquery, not
 * EXISTS: the planner may run an EXISTS as a hash of every visible post in the database (it misjudges
 * how many notifications are unread), 0.8 ms with 3,000 posts and growing with them; this is one
 * look-up per notification. Read by the standing and by the launch statement (which reads the standing too).
 */
function unreadNotificationsOf(tenantId: RawBuilder<unknown>, membershipId: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`(SELECT count(*)::int FROM (
    SELECT n.id FROM notifications n
    WHERE n.tenant_id = ${tenantId} AND n.membership_id = ${membershipId} AND n.read_at IS NULL
      AND (n.kind = 'flag' OR (SELECT po.status FROM posts po WHERE po.tenant_id = n.tenant_id AND po.id = n.post_id) = 'visible')
    LIMIT ${sql.lit(UNREAD_COUNT_CAP)}) unread)`;
}

/** findMembershipStanding's statement (its plan is checked in test/integration/standing-query.test.ts). */
export function membershipStandingQuery(ex: Executor, tenantId: string, membershipId: string) {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('tenants as t', 't.id', 'm.tenantId')
    .innerJoin('platforms as p', 'p.id', 't.platformId')
    .select([
      'm.role',
      'm.status as membershipStatus',
      't.status as tenantStatus',
      'p.status as platformStatus',
      unreadNotificationsOf(sql.ref('m.tenant_id'), sql.ref('m.id')).as('unreadNotifications'),
    ])
    .where('m.tenantId', '=', tenantId)
    .where('m.id', '=', membershipId);
}


export interface LaunchRows {
  cohortId: string;
  personId: string;
  personName: string | null;
  membershipId: string;
  /** A learner in no group, in a cohort that has groups (read under the groups' lock): to be placed. */
  placementDue: boolean;
  /** The launch's link can take scores and has not had the scores already earned sent yet. */
  gradesBackfillDue: boolean;
  /** The person's language: their own choice, else their launches' (this one's when it said), else the deployment's default. */
  personLocale: string;
  /** The membership's standing as the launch left it (findMembershipStanding's answer, read in the same statement). */
  standing: MembershipStanding;
}

/**
 * A launch's cohort, resource link, person and membership, upserted in one statement (one round
 * trip, committed on its own) that first consumes the launch's login: when the login is gone (a
 * replay, or one too old) nothing is written and there is no row. Rows are locked in the order a
 * roster sync takes them: the cohort first (the person's insert reads from it), then the person,
 * then the membership (the login's row before them is the launch's own). For a learner in no group
 * it also takes the cohort's groups lock (migration 20261204T1541) until it commits.
 * - The first launch in a context creates its cohort; later launches keep its id and refresh its title.
 * - The LMS may stop sharing a person's field: what it shares now wins, what it no longer shares is forgotten.
 * - A launch never erases a service endpoint we know: Moodle's relaunch names no line item
 *   (`"lineitem": ""`), and a launch without the AGS claim says nothing about grading.
 */
export async function upsertLaunch(
  ex: Executor,
  l: {
    tenantId: string;
    resourceLink: { resourceLinkId: string; title: string | null; moduleId: number | null; lineitemUrl: string | null; lineitemsUrl: string | null; agsScopes: string[] } | null;
    /** `language`: the content language the launch asked for (a new cohort's, else the deployment's default). */
    cohort: { contextId: string; title: string; label: string | null; nrpsUrl: string | null; language: string | null };
    person: { sub: string; name: string | null; givenName: string | null; familyName: string | null; email: string | null; launchLocale: string | null };
    membership: { role: MembershipRole; lmsRoles: string[] };
    /** The OIDC login this launch completes; null only for launches the tool makes itself (the demo's seed). */
    login: LtiLogin | null;
  },
): Promise<LaunchRows | undefined> {
  const { tenantId: t, cohort: c, person: p, membership: m } = l;
  const rl = l.resourceLink;
  // Prepared (its text is one of two): planning its CTEs took as long as running them, 0.7 ms a launch.
  const rows = await executeAsNamed(ex, sql<LaunchRows>`
    WITH login AS (
      ${l.login ? consumeLtiLogin(l.login) : sql`SELECT 'none'::text AS state`}
    ), tenant AS (
      -- Everything below reads from this CTE: no login, no row written.
      SELECT default_locale, coalesce(${c.language}::text, default_locale) AS language, status, platform_id FROM tenants
      WHERE id = ${t} AND EXISTS (SELECT FROM login)
    ), c AS (
      -- A new cohort is in the launch's language (else the deployment's) and pinned to the latest
      -- published version of the tenant's edition for new cohorts in that language (none: the
      -- default edition); an existing one keeps its own.
      INSERT INTO cohorts (tenant_id, context_id, title, label, nrps_url, language, edition_version_id)
      SELECT ${t}, ${c.contextId}, ${c.title}, ${c.label}, ${c.nrpsUrl}, tenant.language, (
        SELECT v.id FROM editions e
        JOIN edition_versions v ON v.tenant_id = e.tenant_id AND v.edition_id = e.id AND v.status = 'published'
        WHERE e.tenant_id = ${t} AND e.for_new_cohorts AND e.language = tenant.language
        ORDER BY v.number DESC LIMIT 1)
      FROM tenant
      ON CONFLICT (tenant_id, context_id) DO UPDATE SET
        title = excluded.title, label = excluded.label,
        nrps_url = coalesce(excluded.nrps_url, cohorts.nrps_url), updated_at = now()
      RETURNING id
    ), p AS (
      INSERT INTO persons (tenant_id, sub, name, given_name, family_name, email, launch_locale)
      SELECT ${t}, ${p.sub}, ${p.name}, ${p.givenName}, ${p.familyName}, ${p.email}, ${p.launchLocale} FROM c
      ON CONFLICT (tenant_id, sub) DO UPDATE SET
        name = excluded.name, given_name = excluded.given_name, family_name = excluded.family_name,
        email = excluded.email, launch_locale = coalesce(excluded.launch_locale, persons.launch_locale), updated_at = now()
      RETURNING id, name, coalesce(locale, launch_locale) AS locale
    ), m AS (
      INSERT INTO memberships (tenant_id, cohort_id, person_id, role, lms_roles, status, first_launch_at, last_launch_at)
      SELECT ${t}, c.id, p.id, ${m.role}, ${m.lmsRoles}::text[], 'active', now(), now() FROM c, p
      ON CONFLICT (tenant_id, cohort_id, person_id) DO UPDATE SET
        role = excluded.role, lms_roles = excluded.lms_roles, status = 'active',
        first_launch_at = coalesce(memberships.first_launch_at, now()), last_launch_at = now()
      RETURNING id, role, status
    ), rl AS (
      INSERT INTO resource_links (tenant_id, cohort_id, resource_link_id, title, module_id, lineitem_url, lineitems_url, ags_scopes)
      SELECT ${t}, c.id, ${rl?.resourceLinkId ?? null}, ${rl?.title ?? null}, ${rl?.moduleId ?? null}::int, ${rl?.lineitemUrl ?? null}, ${rl?.lineitemsUrl ?? null}, ${rl?.agsScopes ?? []}::text[]
      FROM c WHERE ${rl?.resourceLinkId ?? null}::text IS NOT NULL
      ON CONFLICT (tenant_id, resource_link_id) DO UPDATE SET
        cohort_id = excluded.cohort_id, title = excluded.title, module_id = excluded.module_id,
        lineitem_url = coalesce(excluded.lineitem_url, resource_links.lineitem_url),
        lineitems_url = coalesce(excluded.lineitems_url, resource_links.lineitems_url),
        ags_scopes = case when cardinality(excluded.ags_scopes) > 0 then excluded.ags_scopes else resource_links.ags_scopes end,
        updated_at = now()
      RETURNING grades_backfilled_at IS NULL AND ${AGS_SCORE_SCOPE} = ANY (ags_scopes) AS due
    )
    SELECT c.id AS "cohortId", p.id AS "personId", p.name AS "personName", m.id AS "membershipId",
      CASE WHEN ${m.role === 'learner'} AND NOT EXISTS (SELECT 1 FROM group_members gm WHERE gm.tenant_id = ${t} AND gm.membership_id = m.id)
        THEN circlework_cohort_has_groups(${t}, c.id) ELSE false END AS "placementDue",
      coalesce((SELECT due FROM rl), false) AS "gradesBackfillDue",
      coalesce(p.locale, tenant.default_locale) AS "personLocale",
      json_build_object(
        'role', m.role, 'membershipStatus', m.status, 'tenantStatus', tenant.status,
        'platformStatus', (SELECT pl.status FROM platforms pl WHERE pl.id = tenant.platform_id),
        'unreadNotifications', ${unreadNotificationsOf(sql`${t}`, sql.ref('m.id'))}
      ) AS standing
    FROM c, p, m, tenant`);
  return rows[0];
}

/**
 * Sets the language of a cohort that runs the default edition; undefined when the cohort is not
 * there or is pinned to an edition version (whose language is its edition's).
 */
export async function setDefaultEditionLanguage(ex: Executor, tenantId: string, cohortId: string, language: string): Promise<{ id: string } | undefined> {
  return ex.updateTable('cohorts').set({ language, updatedAt: new Date() }).where('tenantId', '=', tenantId).where('id', '=', cohortId).where('editionVersionId', 'is', null).returning('id').executeTakeFirst();
}

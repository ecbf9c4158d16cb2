import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { Cohort, Membership, MembershipRole, Person, ResourceLink } from './schema.ts';

export function findCohort(ex: Executor, tenantId: string, cohortId: string): Promise<Cohort | undefined> {
  return ex.selectFrom('cohorts').selectAll().where('tenantId', '=', tenantId).where('id', '=', cohortId).executeTakeFirst();
}

/** Creates the cohort on the first launch in a context; later launches keep its id and refresh its title. */
export function upsertCohort(
  ex: Executor,
  cohort: { tenantId: string; contextId: string; title: string; label: string | null; nrpsUrl: string | null },
): Promise<Cohort> {
  return ex
    .insertInto('cohorts')
    .values(cohort)
    .onConflict((oc) =>
      oc.columns(['tenantId', 'contextId']).doUpdateSet({
        title: cohort.title,
        label: cohort.label,
        nrpsUrl: sql`coalesce(excluded.nrps_url, cohorts.nrps_url)`,
        updatedAt: sql`now()`,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function upsertPerson(
  ex: Executor,
  person: { tenantId: string; sub: string; name: string | null; givenName: string | null; familyName: string | null; email: string | null },
): Promise<Person> {
  // The LMS may stop sharing a field; what it shares now wins, what it no longer shares is forgotten.
  return ex
    .insertInto('persons')
    .values(person)
    .onConflict((oc) =>
      oc.columns(['tenantId', 'sub']).doUpdateSet({
        name: person.name,
        givenName: person.givenName,
        familyName: person.familyName,
        email: person.email,
        updatedAt: sql`now()`,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function upsertLaunchedMembership(
  ex: Executor,
  m: { tenantId: string; cohortId: string; personId: string; role: MembershipRole; lmsRoles: string[] },
): Promise<Membership> {
  return ex
    .insertInto('memberships')
    .values({ ...m, status: 'active', firstLaunchAt: sql<Date>`now()`, lastLaunchAt: sql<Date>`now()` })
    .onConflict((oc) =>
      oc.columns(['tenantId', 'cohortId', 'personId']).doUpdateSet({
        role: m.role,
        lmsRoles: m.lmsRoles,
        status: 'active',
        firstLaunchAt: sql<Date>`coalesce(memberships.first_launch_at, now())`,
        lastLaunchAt: sql<Date>`now()`,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
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

/** What a session's launch is still worth: the membership's role and whether every level is active. */
export function findMembershipStanding(
  ex: Executor,
  tenantId: string,
  membershipId: string,
): Promise<{ role: MembershipRole; membershipStatus: string; tenantStatus: string; platformStatus: string; unreadNotifications: number } | undefined> {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('tenants as t', 't.id', 'm.tenantId')
    .innerJoin('platforms as p', 'p.id', 't.platformId')
    .select((eb) => [
      'm.role',
      'm.status as membershipStatus',
      't.status as tenantStatus',
      'p.status as platformStatus',
      eb
        .selectFrom('notifications as n')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('n.tenantId', '=', 'm.tenantId')
        .whereRef('n.membershipId', '=', 'm.id')
        .where('n.readAt', 'is', null)
        // A mention in a post hidden or deleted since is not counted, as the list leaves it out.
        .where((w) => w.or([w('n.kind', '=', 'flag'), w.exists(w.selectFrom('posts as po').select('po.id').whereRef('po.tenantId', '=', 'n.tenantId').whereRef('po.id', '=', 'n.postId').where('po.status', '=', 'visible'))]))
        .as('unreadNotifications'),
    ])
    .where('m.tenantId', '=', tenantId)
    .where('m.id', '=', membershipId)
    .executeTakeFirst()
    .then((r) => r && { ...r, unreadNotifications: Number(r.unreadNotifications ?? 0) });
}

export function upsertResourceLink(
  ex: Executor,
  link: {
    tenantId: string;
    cohortId: string;
    resourceLinkId: string;
    title: string | null;
    moduleId: number | null;
    lineitemUrl: string | null;
    lineitemsUrl: string | null;
    agsScopes: string[];
  },
): Promise<ResourceLink> {
  return ex
    .insertInto('resourceLinks')
    .values(link)
    .onConflict((oc) =>
      oc.columns(['tenantId', 'resourceLinkId']).doUpdateSet({
        cohortId: link.cohortId,
        title: link.title,
        moduleId: link.moduleId,
        // A launch never erases a service endpoint we know: Moodle's relaunch names no line item
        // (`"lineitem": ""`), and a launch without the AGS claim says nothing about grading.
        lineitemUrl: sql`coalesce(excluded.lineitem_url, resource_links.lineitem_url)`,
        lineitemsUrl: sql`coalesce(excluded.lineitems_url, resource_links.lineitems_url)`,
        agsScopes: sql`case when cardinality(excluded.ags_scopes) > 0 then excluded.ags_scopes else resource_links.ags_scopes end`,
        updatedAt: sql`now()`,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

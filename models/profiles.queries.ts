// Profiles, the expert finder's full-text search, and kudos a person received. Every statement is
// scoped by tenant.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Executor } from './db.ts';
import type { Database, MembershipRole, ProfilesTable } from './schema.ts';

export interface ProfileRow {
  skills: string;
  interests: string;
  canHelpWith: string;
  searchAllCohorts: boolean;
  updatedAt: Date;
}

export function findProfile(ex: Executor, tenantId: string, personId: string): Promise<ProfileRow | undefined> {
  return ex
    .selectFrom('profiles')
    .select(['skills', 'interests', 'canHelpWith', 'searchAllCohorts', 'updatedAt'])
    .where('tenantId', '=', tenantId)
    .where('personId', '=', personId)
    .executeTakeFirst();
}

export async function upsertProfile(
  ex: Executor,
  p: { tenantId: string; personId: string; skills: string; interests: string; canHelpWith: string; searchAllCohorts: boolean },
): Promise<void> {
  await ex
    .insertInto('profiles')
    .values(p)
    .onConflict((oc) =>
      oc.columns(['tenantId', 'personId']).doUpdateSet({
        skills: p.skills,
        interests: p.interests,
        canHelpWith: p.canHelpWith,
        searchAllCohorts: p.searchAllCohorts,
        updatedAt: sql<Date>`now()`,
      }),
    )
    .execute();
}

export interface MemberProfileRow {
  personId: string;
  name: string | null;
  role: MembershipRole;
  skills: string | null;
  interests: string | null;
  canHelpWith: string | null;
}

/** A person with an active membership in this cohort, with their profile (null fields: none yet). */
export function findCohortMemberProfile(ex: Executor, tenantId: string, cohortId: string, personId: string): Promise<MemberProfileRow | undefined> {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .leftJoin('profiles as pr', (j) => j.onRef('pr.tenantId', '=', 'p.tenantId').onRef('pr.personId', '=', 'p.id'))
    .select(['p.id as personId', 'p.name', 'm.role', 'pr.skills', 'pr.interests', 'pr.canHelpWith'])
    .where('m.tenantId', '=', tenantId)
    .where('m.cohortId', '=', cohortId)
    .where('m.personId', '=', personId)
    .where('m.status', '=', 'active')
    .executeTakeFirst();
}

/**
 * Someone of the tenant's other cohorts whom the expert finder shows: they opted in
 * (`search_all_cohorts`) and are active in one of its cohorts. Never another tenant.
 */
export function findOptedInProfile(ex: Executor, tenantId: string, personId: string): Promise<MemberProfileRow | undefined> {
  return ex
    .selectFrom('profiles as pr')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'pr.tenantId').onRef('p.id', '=', 'pr.personId'))
    .select(['p.id as personId', 'p.name', sql<MembershipRole>`'learner'`.as('role'), 'pr.skills', 'pr.interests', 'pr.canHelpWith'])
    .where('pr.tenantId', '=', tenantId)
    .where('pr.personId', '=', personId)
    .where('pr.searchAllCohorts', '=', true)
    .where((eb) => eb.exists(eb.selectFrom('memberships as m').select(sql`1`.as('one')).whereRef('m.tenantId', '=', 'pr.tenantId').whereRef('m.personId', '=', 'pr.personId').where('m.status', '=', 'active')))
    .executeTakeFirst();
}

export interface ExpertRow {
  personId: string;
  name: string | null;
  skills: string;
  interests: string;
  canHelpWith: string;
  rank: number;
  /** An active member of the searcher's cohort; otherwise someone of another cohort who opted in. */
  inCohort: boolean;
}

/**
 * Profiles matching a web-search style query (`websearch_to_tsquery('simple', q)`), best first
 * (ts_rank): active members of this cohort, and people of the tenant's other cohorts who opted in
 * (`search_all_cohorts`) and are active there. Never another tenant; never the searcher.
 */
export function searchProfiles(ex: Executor, tenantId: string, cohortId: string, searcherPersonId: string, q: string, limit: number): Promise<ExpertRow[]> {
  const query = sql`websearch_to_tsquery('simple', ${q})`;
  const activeIn = (eb: ExpressionBuilder<Database & { pr: ProfilesTable }, 'pr'>, inThisCohort: boolean) =>
    eb.exists(
      eb
        .selectFrom('memberships as m')
        .select(sql`1`.as('one'))
        .whereRef('m.tenantId', '=', 'pr.tenantId')
        .whereRef('m.personId', '=', 'pr.personId')
        .where('m.status', '=', 'active')
        .where('m.cohortId', inThisCohort ? '=' : '<>', cohortId),
    );
  return ex
    .selectFrom('profiles as pr')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'pr.tenantId').onRef('p.id', '=', 'pr.personId'))
    .select((eb) => [
      'pr.personId',
      'p.name',
      'pr.skills',
      'pr.interests',
      'pr.canHelpWith',
      sql<number>`ts_rank(pr.search, ${query})`.as('rank'),
      activeIn(eb, true).$castTo<boolean>().as('inCohort'),
    ])
    .where('pr.tenantId', '=', tenantId)
    .where('pr.personId', '<>', searcherPersonId)
    .where(sql<boolean>`pr.search @@ ${query}`)
    .where((eb) => eb.or([activeIn(eb, true), eb.and([eb('pr.searchAllCohorts', '=', true), activeIn(eb, false)])]))
    .orderBy('rank', 'desc')
    .orderBy('inCohort', 'desc')
    .orderBy('p.name')
    .orderBy('pr.personId')
    .limit(limit)
    .execute();
}

/** How many kudos a person received, over all their memberships in the tenant. */
export async function countKudosReceived(ex: Executor, tenantId: string, personId: string): Promise<number> {
  const row = await ex
    .selectFrom('kudos as k')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'k.tenantId').onRef('m.id', '=', 'k.toMembershipId'))
    .select(sql<number>`count(*)::int`.as('n'))
    .where('k.tenantId', '=', tenantId)
    .where('m.personId', '=', personId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The newest kudos a person received (reason, giver, when), over all their memberships in the tenant. */
export function listKudosReceived(ex: Executor, tenantId: string, personId: string, limit: number) {
  return ex
    .selectFrom('kudos as k')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'k.tenantId').onRef('m.id', '=', 'k.toMembershipId'))
    .innerJoin('memberships as fm', (j) => j.onRef('fm.tenantId', '=', 'k.tenantId').onRef('fm.id', '=', 'k.fromMembershipId'))
    .innerJoin('persons as fp', (j) => j.onRef('fp.tenantId', '=', 'fm.tenantId').onRef('fp.id', '=', 'fm.personId'))
    .select(['k.id', 'k.reason', 'k.createdAt', 'fp.name as fromName'])
    .where('k.tenantId', '=', tenantId)
    .where('m.personId', '=', personId)
    .orderBy('k.createdAt', 'desc')
    .orderBy('k.id')
    .limit(limit)
    .execute();
}

/** A person's own choice of language (null: follow the LMS), their last launch's, and their deployment's default. */
export interface PersonLocales {
  locale: string | null;
  launchLocale: string | null;
  defaultLocale: string;
}

export async function findPersonLocales(ex: Executor, tenantId: string, personId: string): Promise<PersonLocales | undefined> {
  const { rows } = await sql<PersonLocales>`
    SELECT p.locale, p.launch_locale AS "launchLocale", t.default_locale AS "defaultLocale"
    FROM persons p JOIN tenants t ON t.id = p.tenant_id
    WHERE p.tenant_id = ${tenantId} AND p.id = ${personId}`.execute(ex);
  return rows[0];
}

/** Sets the person's own choice (null: follow the LMS again); the locale their pages now use. */
export async function setPersonLocale(ex: Executor, tenantId: string, personId: string, locale: string | null): Promise<string | undefined> {
  const { rows } = await sql<{ effective: string }>`
    UPDATE persons p SET locale = ${locale}, updated_at = now()
    FROM tenants t
    WHERE p.tenant_id = ${tenantId} AND p.id = ${personId} AND t.id = p.tenant_id
    RETURNING coalesce(p.locale, p.launch_locale, t.default_locale) AS effective`.execute(ex);
  return rows[0]?.effective;
}

// The grade outbox: AGS scores waiting for, or done with, delivery to the LMS. One statement each,
// scoped by tenant, except listStalledGrades: the delivery job's catch-up scan across tenants.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { GradeOutboxRow, GradeStatus, MembershipRole, PlatformStatus, TenantStatus } from './schema.ts';
import { SERVICE_PLATFORM_COLUMNS } from './platforms.queries.ts';

/**
 * Locks the membership (FOR NO KEY UPDATE: inserts referencing it still pass) so that grade writes
 * for one person are serialised, and returns what grading needs to know about them.
 */
export function lockMembershipForGrading(
  ex: Executor,
  tenantId: string,
  membershipId: string,
): Promise<{ role: MembershipRole; cohortId: string; sub: string; platformId: string } | undefined> {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .innerJoin('tenants as t', 't.id', 'm.tenantId')
    .select(['m.role', 'm.cohortId', 'p.sub', 't.platformId'])
    .where('m.tenantId', '=', tenantId)
    .where('m.id', '=', membershipId)
    .forNoKeyUpdate(['m'])
    .executeTakeFirst();
}

export interface LatestGrade {
  id: string;
  resourceLinkId: string;
  payload: Record<string, unknown>;
  scoreTimestamp: Date;
  status: GradeStatus;
}

/** The newest outbox row of a membership for each resource link. */
export function listLatestGradesOfMembership(ex: Executor, tenantId: string, membershipId: string): Promise<LatestGrade[]> {
  return ex
    .selectFrom('gradeOutbox')
    .distinctOn('resourceLinkId')
    .select(['id', 'resourceLinkId', 'payload', 'scoreTimestamp', 'status'])
    .where('tenantId', '=', tenantId)
    .where('membershipId', '=', membershipId)
    .orderBy('resourceLinkId')
    .orderBy('scoreTimestamp', 'desc')
    .execute();
}

/** Drops a membership's scores for a link that were never delivered: a newer score replaces them. */
export async function deleteUndeliveredGrades(ex: Executor, tenantId: string, membershipId: string, resourceLinkId: string): Promise<void> {
  await ex
    .deleteFrom('gradeOutbox')
    .where('tenantId', '=', tenantId)
    .where('membershipId', '=', membershipId)
    .where('resourceLinkId', '=', resourceLinkId)
    .where('status', '<>', 'delivered')
    .execute();
}

export function insertGrade(
  ex: Executor,
  row: { tenantId: string; membershipId: string; resourceLinkId: string; payload: Record<string, unknown>; scoreTimestamp: Date },
): Promise<GradeOutboxRow> {
  return ex
    .insertInto('gradeOutbox')
    .values({ ...row, payload: JSON.stringify(row.payload) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An outbox row with everything its delivery needs: the link's AGS endpoints and the platform. */
export interface GradeDelivery {
  tenantId: string;
  id: string;
  status: GradeStatus;
  payload: Record<string, unknown>;
  attempts: number;
  resourceLinkId: string;
  linkTitle: string | null;
  lineitemUrl: string | null;
  lineitemsUrl: string | null;
  agsScopes: string[];
  tenantStatus: TenantStatus;
  platformId: string;
  platformStatus: PlatformStatus;
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  authorizationServer: string | null;
  toolKid: string;
}

export function findGradeDelivery(ex: Executor, tenantId: string, id: string): Promise<GradeDelivery | undefined> {
  return ex
    .selectFrom('gradeOutbox as g')
    .innerJoin('resourceLinks as rl', (j) => j.onRef('rl.tenantId', '=', 'g.tenantId').onRef('rl.resourceLinkId', '=', 'g.resourceLinkId'))
    .innerJoin('tenants as t', 't.id', 'g.tenantId')
    .innerJoin('platforms as p', 'p.id', 't.platformId')
    .select([
      'g.tenantId',
      'g.id',
      'g.status',
      'g.payload',
      'g.attempts',
      'g.resourceLinkId',
      'rl.title as linkTitle',
      'rl.lineitemUrl',
      'rl.lineitemsUrl',
      'rl.agsScopes',
      't.status as tenantStatus',
      'p.id as platformId',
      'p.status as platformStatus',
      ...SERVICE_PLATFORM_COLUMNS,
    ])
    .where('g.tenantId', '=', tenantId)
    .where('g.id', '=', id)
    .executeTakeFirst();
}

/** Marks a delivered score, only if it is still pending: a second delivery of it changes nothing. `note`: what the LMS said, if worth showing. */
export function markGradeDelivered(ex: Executor, tenantId: string, id: string, note: string | null = null): Promise<GradeOutboxRow | undefined> {
  return ex
    .updateTable('gradeOutbox')
    .set((eb) => ({ status: 'delivered', attempts: eb('attempts', '+', 1), deliveredAt: sql<Date>`now()`, lastError: note }))
    .where('tenantId', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

/** Records a failed attempt: still pending (it will be retried) or failed for good. */
export function recordGradeAttempt(
  ex: Executor,
  tenantId: string,
  id: string,
  outcome: { status: 'pending' | 'failed'; lastError: string },
): Promise<GradeOutboxRow | undefined> {
  return ex
    .updateTable('gradeOutbox')
    .set((eb) => ({ status: outcome.status, attempts: eb('attempts', '+', 1), lastError: outcome.lastError }))
    .where('tenantId', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

/** A row of a cohort (through its resource link), or none. */
export function findGradeInCohort(ex: Executor, tenantId: string, cohortId: string, id: string): Promise<(GradeOutboxRow & { platformId: string }) | undefined> {
  return ex
    .selectFrom('gradeOutbox as g')
    .innerJoin('resourceLinks as rl', (j) => j.onRef('rl.tenantId', '=', 'g.tenantId').onRef('rl.resourceLinkId', '=', 'g.resourceLinkId'))
    .innerJoin('tenants as t', 't.id', 'g.tenantId')
    .selectAll('g')
    .select('t.platformId')
    .where('g.tenantId', '=', tenantId)
    .where('rl.cohortId', '=', cohortId)
    .where('g.id', '=', id)
    .executeTakeFirst();
}

/** Puts a failed row back to pending (the facilitator's retry); none if it is no longer failed. */
export function updateFailedGradeToPending(ex: Executor, tenantId: string, id: string): Promise<GradeOutboxRow | undefined> {
  return ex
    .updateTable('gradeOutbox')
    .set({ status: 'pending' })
    .where('tenantId', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .returningAll()
    .executeTakeFirst();
}

/** Pending rows older than the given age, oldest first, across tenants (the catch-up scan). */
export function listStalledGrades(
  ex: Executor,
  olderThanSeconds: number,
  limit: number,
): Promise<Array<{ tenantId: string; id: string; platformId: string }>> {
  return ex
    .selectFrom('gradeOutbox as g')
    .innerJoin('tenants as t', 't.id', 'g.tenantId')
    .select(['g.tenantId', 'g.id', 't.platformId'])
    .where('g.status', '=', 'pending')
    .where('g.createdAt', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .orderBy('g.createdAt')
    .limit(limit)
    .execute();
}

export interface CohortGradeRow {
  id: string;
  membershipId: string;
  personName: string | null;
  sub: string;
  resourceLinkId: string;
  linkTitle: string | null;
  moduleId: number | null;
  payload: Record<string, unknown>;
  scoreTimestamp: Date;
  status: GradeStatus;
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** The newest score per learner per link of a cohort. */
export function listCohortGrades(ex: Executor, tenantId: string, cohortId: string): Promise<CohortGradeRow[]> {
  return ex
    .selectFrom('gradeOutbox as g')
    .innerJoin('resourceLinks as rl', (j) => j.onRef('rl.tenantId', '=', 'g.tenantId').onRef('rl.resourceLinkId', '=', 'g.resourceLinkId'))
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'g.tenantId').onRef('m.id', '=', 'g.membershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .distinctOn(['g.membershipId', 'g.resourceLinkId'])
    .select([
      'g.id',
      'g.membershipId',
      'p.name as personName',
      'p.sub',
      'g.resourceLinkId',
      'rl.title as linkTitle',
      'rl.moduleId',
      'g.payload',
      'g.scoreTimestamp',
      'g.status',
      'g.attempts',
      'g.lastError',
      'g.deliveredAt',
    ])
    .where('g.tenantId', '=', tenantId)
    .where('rl.cohortId', '=', cohortId)
    .orderBy('g.membershipId')
    .orderBy('g.resourceLinkId')
    .orderBy('g.scoreTimestamp', 'desc')
    .execute();
}

/** The cohort's active learners who completed at least one module, with those modules (a link's backfill). */
export function listLearnerCompletions(ex: Executor, tenantId: string, cohortId: string): Promise<Array<{ membershipId: string; sub: string; completedModuleIds: number[] }>> {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .innerJoin('moduleCompletions as c', (j) => j.onRef('c.tenantId', '=', 'm.tenantId').onRef('c.membershipId', '=', 'm.id'))
    .select(['m.id as membershipId', 'p.sub', sql<number[]>`array_agg(c.module_id order by c.module_id)`.as('completedModuleIds')])
    .where('m.tenantId', '=', tenantId)
    .where('m.cohortId', '=', cohortId)
    .where('m.role', '=', 'learner')
    .where('m.status', '=', 'active')
    .groupBy(['m.id', 'p.sub'])
    // enqueueGrades locks each membership: always in the same order.
    .orderBy('m.id')
    .execute();
}

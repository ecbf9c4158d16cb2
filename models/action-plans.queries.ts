// Action plans, accountability partners and comments, and the people they involve (manager invites
// and check-ins have their own files). Every statement is scoped by tenant.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { PlanGoal, PlanVisibility } from './schema.ts';

export interface PlanRow {
  tenantId: string;
  id: string;
  cohortId: string;
  membershipId: string;
  goals: PlanGoal[];
  visibility: PlanVisibility;
  status: 'draft' | 'submitted';
  shareCheckInsWithManager: boolean;
  updatedAt: Date;
  submittedAt: Date | null;
  ownerName: string | null;
  ownerPersonId: string;
}

function planQuery(ex: Executor, tenantId: string) {
  return ex
    .selectFrom('actionPlans as ap')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'ap.tenantId').onRef('m.id', '=', 'ap.membershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['ap.tenantId', 'ap.id', 'ap.cohortId', 'ap.membershipId', 'ap.goals', 'ap.visibility', 'ap.status', 'ap.shareCheckInsWithManager', 'ap.updatedAt', 'ap.submittedAt', 'p.name as ownerName', 'p.id as ownerPersonId'])
    .where('ap.tenantId', '=', tenantId);
}

export function findPlan(ex: Executor, tenantId: string, planId: string): Promise<PlanRow | undefined> {
  return planQuery(ex, tenantId).where('ap.id', '=', planId).executeTakeFirst();
}

export function findPlanOfMember(ex: Executor, tenantId: string, membershipId: string): Promise<PlanRow | undefined> {
  return planQuery(ex, tenantId).where('ap.membershipId', '=', membershipId).executeTakeFirst();
}

/** Plans of a cohort's active members (the board and the facilitator's figures filter them further). */
export function listCohortPlans(ex: Executor, tenantId: string, cohortId: string): Promise<Array<PlanRow & { groupId: string | null }>> {
  return planQuery(ex, tenantId)
    .leftJoin('groupMembers as gm', (j) => j.onRef('gm.tenantId', '=', 'ap.tenantId').onRef('gm.membershipId', '=', 'ap.membershipId'))
    .select('gm.groupId')
    .where('ap.cohortId', '=', cohortId)
    .where('m.status', '=', 'active')
    .orderBy('p.name')
    .execute();
}

export async function upsertPlan(
  ex: Executor,
  p: { tenantId: string; cohortId: string; membershipId: string; goals: PlanGoal[]; visibility: PlanVisibility; status: 'draft' | 'submitted'; shareCheckInsWithManager: boolean },
): Promise<string> {
  const submittedAt = p.status === 'submitted' ? sql<Date>`coalesce(action_plans.submitted_at, now())` : sql<Date | null>`action_plans.submitted_at`;
  const row = await ex
    .insertInto('actionPlans')
    .values({ ...p, goals: JSON.stringify(p.goals), submittedAt: p.status === 'submitted' ? new Date() : null })
    .onConflict((oc) =>
      oc.columns(['tenantId', 'membershipId']).doUpdateSet({
        goals: JSON.stringify(p.goals),
        visibility: p.visibility,
        status: p.status,
        shareCheckInsWithManager: p.shareCheckInsWithManager,
        submittedAt,
        pendingEdit: null,
        updatedAt: sql`now()`,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Keeps (or clears, with null) the owner's pending edit of their plan; the plan itself is untouched. */
export async function updatePlanPendingEdit(ex: Executor, tenantId: string, membershipId: string, form: Record<string, string> | null): Promise<void> {
  await ex
    .updateTable('actionPlans')
    // Stored as [field, value] pairs: the camel-case plugin would rename an object's keys (g1_title).
    .set({ pendingEdit: form === null ? null : JSON.stringify(Object.entries(form).filter(([k]) => k !== '_csrf')) })
    .where('tenantId', '=', tenantId)
    .where('membershipId', '=', membershipId)
    .execute();
}

/** The owner's pending edit of their plan, if any. */
export async function findPlanPendingEdit(ex: Executor, tenantId: string, membershipId: string): Promise<Record<string, string> | null> {
  const row = await ex.selectFrom('actionPlans').select('pendingEdit').where('tenantId', '=', tenantId).where('membershipId', '=', membershipId).executeTakeFirst();
  return row?.pendingEdit ? Object.fromEntries(row.pendingEdit) : null;
}

/** The learner's module-1 intention (the submitted answer, or the draft if not submitted yet). */
export async function findIntention(ex: Executor, tenantId: string, membershipId: string): Promise<string | undefined> {
  const row = await ex
    .selectFrom('activityResponses')
    .select('content')
    .where('tenantId', '=', tenantId)
    .where('membershipId', '=', membershipId)
    .where('moduleId', '=', 1)
    .where('activityId', '=', 'set-your-intention')
    .executeTakeFirst();
  const text = row?.content.text;
  return typeof text === 'string' && text.trim() !== '' ? text : undefined;
}

// ---- partners

export interface PartnerRow {
  planId: string;
  partnerMembershipId: string;
  status: 'asked' | 'accepted' | 'declined';
  name: string | null;
  personId: string;
  email: string | null;
}

export function listPartners(ex: Executor, tenantId: string, planId: string): Promise<PartnerRow[]> {
  return ex
    .selectFrom('actionPlanPartners as pp')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'pp.tenantId').onRef('m.id', '=', 'pp.partnerMembershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['pp.planId', 'pp.partnerMembershipId', 'pp.status', 'p.name', 'p.id as personId', 'p.email'])
    .where('pp.tenantId', '=', tenantId)
    .where('pp.planId', '=', planId)
    .orderBy('pp.createdAt')
    .execute();
}

/** Plans this member was asked to partner on (any answer), with the owner's name. */
export function listPartnerRequestsOf(ex: Executor, tenantId: string, membershipId: string) {
  return ex
    .selectFrom('actionPlanPartners as pp')
    .innerJoin('actionPlans as ap', (j) => j.onRef('ap.tenantId', '=', 'pp.tenantId').onRef('ap.id', '=', 'pp.planId'))
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'ap.tenantId').onRef('m.id', '=', 'ap.membershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['pp.planId', 'pp.status', 'p.name as ownerName'])
    .where('pp.tenantId', '=', tenantId)
    .where('pp.partnerMembershipId', '=', membershipId)
    .orderBy('pp.createdAt')
    .execute();
}

export async function insertPartner(ex: Executor, p: { tenantId: string; planId: string; partnerMembershipId: string }): Promise<boolean> {
  const res = await ex.insertInto('actionPlanPartners').values(p).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deletePartner(ex: Executor, tenantId: string, planId: string, partnerMembershipId: string): Promise<void> {
  await ex.deleteFrom('actionPlanPartners').where('tenantId', '=', tenantId).where('planId', '=', planId).where('partnerMembershipId', '=', partnerMembershipId).execute();
}

export async function updatePartnerStatus(ex: Executor, tenantId: string, planId: string, partnerMembershipId: string, status: 'accepted' | 'declined'): Promise<boolean> {
  const res = await ex
    .updateTable('actionPlanPartners')
    .set({ status, respondedAt: sql`now()` })
    .where('tenantId', '=', tenantId)
    .where('planId', '=', planId)
    .where('partnerMembershipId', '=', partnerMembershipId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Active learners of the cohort other than `membershipId`, with their group (null: none). */
export function listPartnerCandidates(ex: Executor, tenantId: string, cohortId: string, membershipId: string) {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .leftJoin('groupMembers as gm', (j) => j.onRef('gm.tenantId', '=', 'm.tenantId').onRef('gm.membershipId', '=', 'm.id'))
    .select(['m.id as membershipId', 'p.name', 'gm.groupId'])
    .where('m.tenantId', '=', tenantId)
    .where('m.cohortId', '=', cohortId)
    .where('m.role', '=', 'learner')
    .where('m.status', '=', 'active')
    .where('m.id', '!=', membershipId)
    .orderBy('p.name')
    .execute();
}

// ---- comments

export interface CommentRow {
  id: string;
  checkInId: string | null;
  kind: 'comment' | 'acknowledged' | 'conversation';
  body: string;
  createdAt: Date;
  authorName: string | null;
  managerInviteId: string | null;
  authorMembershipId: string | null;
}

export function listComments(ex: Executor, tenantId: string, planId: string): Promise<CommentRow[]> {
  return ex
    .selectFrom('actionPlanComments as c')
    .leftJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'c.tenantId').onRef('m.id', '=', 'c.authorMembershipId'))
    .leftJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['c.id', 'c.checkInId', 'c.kind', 'c.body', 'c.createdAt', 'p.name as authorName', 'c.managerInviteId', 'c.authorMembershipId'])
    .where('c.tenantId', '=', tenantId)
    .where('c.planId', '=', planId)
    .orderBy('c.createdAt')
    .execute();
}

export async function insertComment(
  ex: Executor,
  c: { tenantId: string; planId: string; checkInId: string | null; authorMembershipId: string | null; managerInviteId: string | null; kind: 'comment' | 'acknowledged' | 'conversation'; body: string },
): Promise<void> {
  await ex.insertInto('actionPlanComments').values(c).execute();
}

// ---- people

/** A member's person (for email) and standing, in the tenant. */
export function findMemberPerson(ex: Executor, tenantId: string, membershipId: string) {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .innerJoin('cohorts as c', (j) => j.onRef('c.tenantId', '=', 'm.tenantId').onRef('c.id', '=', 'm.cohortId'))
    .innerJoin('tenants as t', 't.id', 'm.tenantId')
    // The language their emails are written in: their own choice, else their last launch's, else the deployment's.
    .select(['m.id as membershipId', 'm.cohortId', 'm.role', 'm.status', 'p.id as personId', 'p.name', 'p.email', 'c.title as cohortTitle', sql<string>`coalesce(p.locale, p.launch_locale, t.default_locale)`.as('locale')])
    .where('m.tenantId', '=', tenantId)
    .where('m.id', '=', membershipId)
    .executeTakeFirst();
}

/** What a launch context is made of, for a membership (an emailed sign-in link acts as a launch). */
export function findLaunchParts(ex: Executor, tenantId: string, membershipId: string) {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .innerJoin('tenants as t', 't.id', 'm.tenantId')
    .innerJoin('platforms as pl', 'pl.id', 't.platformId')
    .select(['m.tenantId', 't.platformId', 'm.cohortId', 'm.personId', 'm.id as membershipId', 'm.role', 'p.name', 'p.sub', 'pl.issuer'])
    .where('m.tenantId', '=', tenantId)
    .where('m.id', '=', membershipId)
    .executeTakeFirst();
}

/**
 * Memberships, in any tenant, of people with this address (as the LMS shared it) who may be sent a
 * sign-in link: membership, deployment and platform active, with an action plan of their own or one
 * they accepted to partner on. It crosses tenants because an address is all the requester gives;
 * each row carries its tenant, and everything done with it after is scoped by it.
 */
export function listSignInMembershipsByEmail(ex: Executor, email: string) {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .innerJoin('cohorts as c', (j) => j.onRef('c.tenantId', '=', 'm.tenantId').onRef('c.id', '=', 'm.cohortId'))
    .innerJoin('tenants as t', 't.id', 'm.tenantId')
    .innerJoin('platforms as pl', 'pl.id', 't.platformId')
    .select(['m.tenantId', 'm.cohortId', 'm.id as membershipId', 'c.title as cohortTitle'])
    .where(sql<boolean>`lower(p.email) = lower(${email})`)
    .where('m.status', '=', 'active')
    .where('t.status', '=', 'active')
    .where('pl.status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb.exists(eb.selectFrom('actionPlans as ap').select('ap.id').whereRef('ap.tenantId', '=', 'm.tenantId').whereRef('ap.membershipId', '=', 'm.id')),
        eb.exists(eb.selectFrom('actionPlanPartners as pp').select('pp.planId').whereRef('pp.tenantId', '=', 'm.tenantId').whereRef('pp.partnerMembershipId', '=', 'm.id').where('pp.status', '=', 'accepted')),
      ]),
    )
    .orderBy('m.tenantId')
    .orderBy('c.title')
    .execute();
}

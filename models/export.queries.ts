// A person's own export: what they wrote or received, per cohort (their membership there), and the
// export rows and chunks themselves. Every statement is scoped by tenant and by the person's own
// membership or person id; nothing here reads another person's private material.
//
// PERSON_DATA is the one list of tables that hold something of a person (export and erasure both
// start from it): a test checks it against the schema, so a new table must say here whose it is.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { CheckInEntry, PlanGoal, PostStatus } from './schema.ts';

/** Table → how a person's rows are found ('person' = person_id, 'membership' = one of their memberships). */
export const PERSON_DATA: Readonly<Record<string, string>> = {
  persons: 'id: name, email, LMS user id',
  memberships: 'person_id: role and launch times per cohort',
  profiles: 'person_id: skills, interests, what they can help with',
  email_opt_outs: 'person_id: email topics turned off',
  announcement_emails: 'person_id: announcements emailed to them',
  personal_exports: 'person_id: their exports (and personal_export_chunks, the zips)',
  activity_responses: 'membership_id: reflections, practice evidence, curations, five-factor answers',
  module_completions: 'membership_id: modules completed',
  grade_outbox: 'membership_id: scores sent to the LMS',
  group_members: 'membership_id: their group',
  threads: 'author_membership_id: threads they started',
  posts: 'author_membership_id: posts and replies',
  post_revisions: 'replaced_by_membership_id: earlier versions of posts',
  kudos: 'from_membership_id / to_membership_id: kudos given and received',
  notifications: 'membership_id / actor_membership_id',
  group_norm_versions: 'membership_id: norms they saved',
  post_drafts: 'membership_id: refused posts kept for them',
  action_plans: 'membership_id: their action plan',
  action_plan_partners: 'partner_membership_id: plans they follow',
  check_ins: 'plan_id: check-ins and journal entries on their plan',
  check_in_reminders: 'plan_id: reminders sent about their plan',
  action_plan_comments: 'plan_id / author_membership_id: comments on their plan, or by them',
  manager_invites: 'plan_id: their manager’s address',
  signed_links: 'subject_id: links emailed to them',
  post_flags: 'membership_id: posts they flagged',
  moderation_actions: 'actor_membership_id / subject_membership_id: audit log',
  member_mutes: 'membership_id / muted_by_membership_id',
  announcements: 'author_membership_id: announcements by a facilitator',
  nudges: 'membership_id / sent_by_membership_id: nudges',
};

export interface ExportMembership {
  membershipId: string;
  cohortId: string;
  cohortTitle: string;
  role: string;
  firstLaunchAt: Date | null;
}

export function listExportMemberships(ex: Executor, tenantId: string, personId: string, cohortId: string | null): Promise<ExportMembership[]> {
  let q = ex
    .selectFrom('memberships as m')
    .innerJoin('cohorts as c', (j) => j.onRef('c.tenantId', '=', 'm.tenantId').onRef('c.id', '=', 'm.cohortId'))
    .select(['m.id as membershipId', 'm.cohortId', 'c.title as cohortTitle', 'm.role', 'm.firstLaunchAt'])
    .where('m.tenantId', '=', tenantId)
    .where('m.personId', '=', personId);
  if (cohortId) q = q.where('m.cohortId', '=', cohortId);
  return q.orderBy('c.createdAt').execute();
}

export function findExportPerson(ex: Executor, tenantId: string, personId: string) {
  return ex
    .selectFrom('persons as p')
    .leftJoin('profiles as pr', (j) => j.onRef('pr.tenantId', '=', 'p.tenantId').onRef('pr.personId', '=', 'p.id'))
    .select(['p.id', 'p.name', 'p.email', 'pr.skills', 'pr.interests', 'pr.canHelpWith', 'pr.searchAllCohorts', 'pr.updatedAt as profileUpdatedAt'])
    .where('p.tenantId', '=', tenantId)
    .where('p.id', '=', personId)
    .executeTakeFirst();
}

export function listOwnResponses(ex: Executor, tenantId: string, membershipId: string) {
  return ex
    .selectFrom('activityResponses')
    .select(['moduleId', 'activityId', 'kind', 'status', 'content', 'shared', 'createdAt', 'updatedAt', 'submittedAt'])
    .where('tenantId', '=', tenantId)
    .where('membershipId', '=', membershipId)
    .orderBy('moduleId')
    .orderBy('activityId')
    .execute();
}

export interface OwnPostRow {
  id: string;
  threadId: string;
  threadTitle: string;
  moduleId: number | null;
  groupName: string | null;
  startsThread: boolean;
  bodySource: string;
  status: PostStatus;
  moderationReason: string | null;
  createdAt: Date;
  editedAt: Date | null;
  /** The post it answers (for a reply to one post; else the thread's first post), when the person saw it. */
  parentAuthorName: string | null;
  parentSource: string | null;
  parentShown: boolean | null;
}

/**
 * The person's posts and replies, their own hidden and deleted ones included; each with the post it
 * answered, whose text and author are given only when that post is theirs or still visible (what
 * they saw in the thread).
 */
export async function listOwnPosts(ex: Executor, tenantId: string, membershipId: string): Promise<OwnPostRow[]> {
  const { rows } = await sql<OwnPostRow>`
    SELECT p.id, p.thread_id AS "threadId", t.title AS "threadTitle", s.module_id AS "moduleId", g.name AS "groupName",
           p.id = first.id AS "startsThread", p.body_source AS "bodySource", p.status,
           p.moderation_reason AS "moderationReason", p.created_at AS "createdAt", p.edited_at AS "editedAt",
           CASE WHEN parent.shown THEN pa.name END AS "parentAuthorName",
           CASE WHEN parent.shown THEN parent.body_source END AS "parentSource",
           parent.shown AS "parentShown"
    FROM posts p
    JOIN threads t ON t.tenant_id = p.tenant_id AND t.id = p.thread_id
    JOIN spaces s ON s.tenant_id = p.tenant_id AND s.id = p.space_id
    LEFT JOIN groups g ON g.tenant_id = s.tenant_id AND g.id = s.group_id
    JOIN LATERAL (SELECT f.id FROM posts f WHERE f.tenant_id = p.tenant_id AND f.thread_id = p.thread_id ORDER BY f.created_at, f.id LIMIT 1) first ON true
    LEFT JOIN LATERAL (
      SELECT q.body_source, q.author_membership_id, (q.status = 'visible' OR q.author_membership_id = p.author_membership_id) AS shown
      FROM posts q
      WHERE q.tenant_id = p.tenant_id AND q.id = COALESCE(p.parent_post_id, CASE WHEN p.id <> first.id THEN first.id END)
    ) parent ON true
    LEFT JOIN memberships pm ON pm.tenant_id = p.tenant_id AND pm.id = parent.author_membership_id
    LEFT JOIN persons pa ON pa.tenant_id = pm.tenant_id AND pa.id = pm.person_id
    WHERE p.tenant_id = ${tenantId} AND p.author_membership_id = ${membershipId}
    ORDER BY s.module_id NULLS LAST, p.created_at, p.id`.execute(ex);
  return rows;
}

/** Visible replies others made to the person's posts (they were notified and saw them). */
export function listRepliesReceived(ex: Executor, tenantId: string, membershipId: string) {
  return ex
    .selectFrom('posts as r')
    .innerJoin('posts as mine', (j) => j.onRef('mine.tenantId', '=', 'r.tenantId').onRef('mine.id', '=', 'r.parentPostId'))
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'r.tenantId').onRef('m.id', '=', 'r.authorMembershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['r.id', 'r.parentPostId', 'r.bodySource', 'r.createdAt', 'p.name as authorName'])
    .where('r.tenantId', '=', tenantId)
    .where('mine.authorMembershipId', '=', membershipId)
    .where('r.authorMembershipId', '<>', membershipId)
    .where('r.status', '=', 'visible')
    .orderBy('r.createdAt')
    .execute();
}

/** Kudos the person gave or received, with the other person's name (they saw it) and the post's thread. */
export async function listOwnKudos(ex: Executor, tenantId: string, membershipId: string) {
  const { rows } = await sql<{ direction: 'given' | 'received'; otherName: string | null; reason: string; threadTitle: string; createdAt: Date }>`
    SELECT CASE WHEN k.from_membership_id = ${membershipId} THEN 'given' ELSE 'received' END AS direction,
           p.name AS "otherName", k.reason, t.title AS "threadTitle", k.created_at AS "createdAt"
    FROM kudos k
    JOIN memberships m ON m.tenant_id = k.tenant_id
      AND m.id = CASE WHEN k.from_membership_id = ${membershipId} THEN k.to_membership_id ELSE k.from_membership_id END
    JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
    JOIN posts po ON po.tenant_id = k.tenant_id AND po.id = k.post_id
    JOIN threads t ON t.tenant_id = po.tenant_id AND t.id = po.thread_id
    WHERE k.tenant_id = ${tenantId} AND (k.from_membership_id = ${membershipId} OR k.to_membership_id = ${membershipId})
    ORDER BY k.created_at`.execute(ex);
  return rows;
}

export function findOwnPlan(ex: Executor, tenantId: string, membershipId: string) {
  return ex
    .selectFrom('actionPlans')
    .select(['id', 'goals', 'visibility', 'status', 'createdAt', 'submittedAt', 'updatedAt'])
    .where('tenantId', '=', tenantId)
    .where('membershipId', '=', membershipId)
    .executeTakeFirst() as Promise<{ id: string; goals: PlanGoal[]; visibility: string; status: string; createdAt: Date; submittedAt: Date | null; updatedAt: Date } | undefined>;
}

export function listPlanCheckIns(ex: Executor, tenantId: string, planId: string) {
  return ex
    .selectFrom('checkIns')
    .select(['id', 'seq', 'entries', 'journal', 'journalShared', 'createdAt'])
    .where('tenantId', '=', tenantId)
    .where('planId', '=', planId)
    .orderBy('seq')
    .execute() as Promise<Array<{ id: string; seq: number; entries: CheckInEntry[]; journal: string; journalShared: boolean; createdAt: Date }>>;
}

export function listPlanPartners(ex: Executor, tenantId: string, planId: string) {
  return ex
    .selectFrom('actionPlanPartners as pp')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'pp.tenantId').onRef('m.id', '=', 'pp.partnerMembershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['p.name', 'pp.status', 'pp.createdAt', 'pp.respondedAt'])
    .where('pp.tenantId', '=', tenantId)
    .where('pp.planId', '=', planId)
    .orderBy('pp.createdAt')
    .execute();
}

/** Comments on the person's own plan: partners' (by name), their manager's, and their own. */
export function listPlanComments(ex: Executor, tenantId: string, planId: string) {
  return ex
    .selectFrom('actionPlanComments as c')
    .leftJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'c.tenantId').onRef('m.id', '=', 'c.authorMembershipId'))
    .leftJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['c.checkInId', 'c.kind', 'c.body', 'c.createdAt', 'c.managerInviteId', 'p.name as authorName', 'm.id as authorMembershipId'])
    .where('c.tenantId', '=', tenantId)
    .where('c.planId', '=', planId)
    .orderBy('c.createdAt')
    .execute();
}

export function listOwnNudges(ex: Executor, tenantId: string, membershipId: string) {
  return ex.selectFrom('nudges').select(['message', 'createdAt']).where('tenantId', '=', tenantId).where('membershipId', '=', membershipId).orderBy('createdAt').execute();
}

// --- the exports themselves -----------------------------------------------------------------

export interface PersonalExportRow {
  tenantId: string;
  id: string;
  personId: string;
  cohortId: string;
  scope: 'cohort' | 'all';
  status: 'queued' | 'ready' | 'failed';
  sizeBytes: string | null;
  requestedAt: Date;
  readyAt: Date | null;
  expiresAt: Date;
}
const EXPORT_COLUMNS = ['tenantId', 'id', 'personId', 'cohortId', 'scope', 'status', 'sizeBytes', 'requestedAt', 'readyAt', 'expiresAt'] as const;

export async function insertPersonalExport(ex: Executor, e: { tenantId: string; personId: string; cohortId: string; scope: 'cohort' | 'all'; expiresAt: Date }): Promise<string> {
  return (await ex.insertInto('personalExports').values(e).returning('id').executeTakeFirstOrThrow()).id;
}

/** The person's own export, or none: the person predicate is what keeps others' exports out of reach. */
export function findOwnExport(ex: Executor, tenantId: string, personId: string, exportId: string): Promise<PersonalExportRow | undefined> {
  return ex.selectFrom('personalExports').select(EXPORT_COLUMNS).where('tenantId', '=', tenantId).where('personId', '=', personId).where('id', '=', exportId).executeTakeFirst();
}

/** For the job, which acts on the row its request wrote; locked so two workers never build it twice. */
export function lockExport(ex: Executor, tenantId: string, exportId: string): Promise<PersonalExportRow | undefined> {
  return ex.selectFrom('personalExports').select(EXPORT_COLUMNS).where('tenantId', '=', tenantId).where('id', '=', exportId).forUpdate().executeTakeFirst();
}

/** The person's unexpired exports, newest first (the profile page's status). */
export function listOwnExports(ex: Executor, tenantId: string, personId: string, now: Date): Promise<PersonalExportRow[]> {
  return ex
    .selectFrom('personalExports')
    .select(EXPORT_COLUMNS)
    .where('tenantId', '=', tenantId)
    .where('personId', '=', personId)
    .where('expiresAt', '>', now)
    .orderBy('requestedAt', 'desc')
    .limit(5)
    .execute();
}

export async function deleteExportChunks(ex: Executor, tenantId: string, exportId: string): Promise<void> {
  await ex.deleteFrom('personalExportChunks').where('tenantId', '=', tenantId).where('exportId', '=', exportId).execute();
}

export async function insertExportChunk(ex: Executor, c: { tenantId: string; exportId: string; seq: number; data: Buffer }): Promise<void> {
  await ex.insertInto('personalExportChunks').values(c).execute();
}

export function findExportChunk(ex: Executor, tenantId: string, exportId: string, seq: number): Promise<{ data: Buffer } | undefined> {
  return ex.selectFrom('personalExportChunks').select('data').where('tenantId', '=', tenantId).where('exportId', '=', exportId).where('seq', '=', seq).executeTakeFirst();
}

export async function markExportReady(ex: Executor, tenantId: string, exportId: string, sizeBytes: number, now: Date): Promise<void> {
  await ex.updateTable('personalExports').set({ status: 'ready', sizeBytes, readyAt: now }).where('tenantId', '=', tenantId).where('id', '=', exportId).execute();
}

/** The build's last attempt failed: only a queued export (a ready one stays ready). */
export async function markExportFailed(ex: Executor, tenantId: string, exportId: string): Promise<void> {
  await ex.updateTable('personalExports').set({ status: 'failed' }).where('tenantId', '=', tenantId).where('id', '=', exportId).where('status', '=', 'queued').execute();
}

/** Expired exports of every tenant, their chunks with them (ON DELETE CASCADE); returns how many. */
export async function deleteExpiredExports(ex: Executor, now: Date): Promise<number> {
  const res = await ex.deleteFrom('personalExports').where('expiresAt', '<=', now).executeTakeFirst();
  return Number(res.numDeletedRows);
}

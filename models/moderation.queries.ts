// Moderation: flags, the audit log, facilitator changes to posts and threads, mutes and
// announcements. Every statement is scoped by tenant.
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { preparedQuery, type Executor } from './db.ts';
import type { Insertable } from 'kysely';
import type { FlagStatus, ModerationActionKind, ModerationActionsTable, PostStatus } from './schema.ts';

// ---- flags

/** One open flag per person and post: undefined when this person's flag is already open. */
export function insertFlag(ex: Executor, f: { tenantId: string; cohortId: string; postId: string; membershipId: string; reason: string }) {
  return ex
    .insertInto('postFlags')
    .values(f)
    .onConflict((oc) => oc.columns(['tenantId', 'postId', 'membershipId']).where('status', '=', 'open').doNothing())
    .returning(['id'])
    .executeTakeFirst();
}

export function findFlag(ex: Executor, tenantId: string, flagId: string) {
  return ex.selectFrom('postFlags').selectAll().where('tenantId', '=', tenantId).where('id', '=', flagId).forUpdate().executeTakeFirst();
}

export async function updateFlagStatus(ex: Executor, tenantId: string, flagId: string, status: FlagStatus): Promise<void> {
  await ex.updateTable('postFlags').set({ status, closedAt: new Date() }).where('tenantId', '=', tenantId).where('id', '=', flagId).execute();
}

/** Acting on a post settles its open flags. */
export async function resolveOpenFlagsOfPost(ex: Executor, tenantId: string, postId: string): Promise<void> {
  await ex.updateTable('postFlags').set({ status: 'resolved', closedAt: new Date() }).where('tenantId', '=', tenantId).where('postId', '=', postId).where('status', '=', 'open').execute();
}

/** The moderation queue: every open flag of the cohort with its post's context, newest first. */
export function listOpenFlags(ex: Executor, tenantId: string, cohortId: string) {
  return ex
    .selectFrom('postFlags as f')
    .innerJoin('posts as po', (j) => j.onRef('po.tenantId', '=', 'f.tenantId').onRef('po.id', '=', 'f.postId'))
    .innerJoin('threads as t', (j) => j.onRef('t.tenantId', '=', 'po.tenantId').onRef('t.id', '=', 'po.threadId'))
    .innerJoin('spaces as s', (j) => j.onRef('s.tenantId', '=', 'po.tenantId').onRef('s.id', '=', 'po.spaceId'))
    .leftJoin('groups as g', (j) => j.onRef('g.tenantId', '=', 's.tenantId').onRef('g.id', '=', 's.groupId'))
    .innerJoin('memberships as am', (j) => j.onRef('am.tenantId', '=', 'po.tenantId').onRef('am.id', '=', 'po.authorMembershipId'))
    .innerJoin('persons as ap', (j) => j.onRef('ap.tenantId', '=', 'am.tenantId').onRef('ap.id', '=', 'am.personId'))
    .innerJoin('memberships as fm', (j) => j.onRef('fm.tenantId', '=', 'f.tenantId').onRef('fm.id', '=', 'f.membershipId'))
    .innerJoin('persons as fp', (j) => j.onRef('fp.tenantId', '=', 'fm.tenantId').onRef('fp.id', '=', 'fm.personId'))
    .select([
      'f.id as flagId',
      'f.reason',
      'f.createdAt',
      'fp.name as flaggerName',
      'po.id as postId',
      'po.bodySource',
      'po.status as postStatus',
      't.id as threadId',
      't.title as threadTitle',
      's.moduleId',
      'g.name as groupName',
      'ap.name as authorName',
      // The flagged post's files: the facilitator sees what was flagged, not only its text.
      (eb) =>
        jsonArrayFrom(
          eb.selectFrom('attachments as at')
            .select(['at.id', 'at.kind', 'at.fileName', 'at.contentType', 'at.sizeBytes', 'at.width', 'at.height', 'at.contentHash', 'at.hiddenAt', 'at.membershipId'])
            .whereRef('at.tenantId', '=', 'po.tenantId')
            .whereRef('at.postId', '=', 'po.id')
            .orderBy('at.createdAt'),
        ).as('attachments'),
    ])
    .where('f.tenantId', '=', tenantId)
    .where('f.cohortId', '=', cohortId)
    .where('f.status', '=', 'open')
    .orderBy('f.createdAt', 'desc')
    .limit(500)
    .execute();
}

// ---- the audit log

/** One audit row as written: the table's columns less the generated id and time. */
export type ActionRow = Omit<Insertable<ModerationActionsTable>, 'id' | 'createdAt'>;

export async function insertModerationAction(ex: Executor, a: ActionRow): Promise<void> {
  await ex.insertInto('moderationActions').values(a).execute();
}

export interface ActionFilter {
  action?: ModerationActionKind | undefined;
  /** The person who acted or was acted on. */
  membershipId?: string | undefined;
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

export function listModerationActions(ex: Executor, tenantId: string, cohortId: string, f: ActionFilter, limit = 200) {
  let q = ex
    .selectFrom('moderationActions as a')
    .innerJoin('memberships as am', (j) => j.onRef('am.tenantId', '=', 'a.tenantId').onRef('am.id', '=', 'a.actorMembershipId'))
    .innerJoin('persons as ap', (j) => j.onRef('ap.tenantId', '=', 'am.tenantId').onRef('ap.id', '=', 'am.personId'))
    .leftJoin('memberships as sm', (j) => j.onRef('sm.tenantId', '=', 'a.tenantId').onRef('sm.id', '=', 'a.subjectMembershipId'))
    .leftJoin('persons as sp', (j) => j.onRef('sp.tenantId', '=', 'sm.tenantId').onRef('sp.id', '=', 'sm.personId'))
    .select(['a.id', 'a.action', 'a.targetKind', 'a.targetId', 'a.reason', 'a.createdAt', 'ap.name as actorName', 'sp.name as subjectName'])
    .where('a.tenantId', '=', tenantId)
    .where('a.cohortId', '=', cohortId);
  if (f.action) q = q.where('a.action', '=', f.action);
  if (f.membershipId) {
    const id = f.membershipId;
    q = q.where((eb) => eb.or([eb('a.actorMembershipId', '=', id), eb('a.subjectMembershipId', '=', id)]));
  }
  if (f.from) q = q.where('a.createdAt', '>=', f.from);
  if (f.to) q = q.where('a.createdAt', '<', f.to);
  return q.orderBy('a.createdAt', 'desc').limit(limit).execute();
}

// ---- posts and threads

export async function updatePostModeration(ex: Executor, tenantId: string, postId: string, m: { status: PostStatus; moderationReason: string | null }): Promise<void> {
  await ex.updateTable('posts').set(m).where('tenantId', '=', tenantId).where('id', '=', postId).execute();
}

export async function updatePostBodyByFacilitator(ex: Executor, tenantId: string, postId: string, body: { bodySource: string; bodyHtml: string }): Promise<void> {
  await ex.updateTable('posts').set({ ...body, editedAt: sql<Date>`now()`, facilitatorEditedAt: sql<Date>`now()` }).where('tenantId', '=', tenantId).where('id', '=', postId).execute();
}

export async function updatePostEndorsed(ex: Executor, tenantId: string, postId: string, endorsed: boolean): Promise<void> {
  await ex.updateTable('posts').set({ endorsedAt: endorsed ? sql<Date>`now()` : null }).where('tenantId', '=', tenantId).where('id', '=', postId).execute();
}

export function findThreadForUpdate(ex: Executor, tenantId: string, threadId: string) {
  return ex.selectFrom('threads').selectAll().where('tenantId', '=', tenantId).where('id', '=', threadId).forUpdate().executeTakeFirst();
}

export async function updateThreadFlags(ex: Executor, tenantId: string, threadId: string, set: { pinned?: boolean; locked?: boolean }): Promise<void> {
  await ex
    .updateTable('threads')
    .set({
      ...(set.pinned === undefined ? {} : { pinnedAt: set.pinned ? sql<Date>`now()` : null }),
      ...(set.locked === undefined ? {} : { lockedAt: set.locked ? sql<Date>`now()` : null }),
    })
    .where('tenantId', '=', tenantId)
    .where('id', '=', threadId)
    .execute();
}

// ---- mutes

/** The member's mute in force now, if any. */
export function findActiveMute(ex: Executor, tenantId: string, membershipId: string) {
  return ex
    .selectFrom('memberMutes')
    .select(['id', 'until', 'reason', 'createdAt'])
    .where('tenantId', '=', tenantId)
    .where('membershipId', '=', membershipId)
    .where('liftedAt', 'is', null)
    .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
}

/** Lifts the member's unlifted mutes (expired ones too); the number lifted that were still in force. */
export async function liftMutes(ex: Executor, tenantId: string, membershipId: string): Promise<number> {
  const rows = await ex
    .updateTable('memberMutes')
    .set({ liftedAt: sql<Date>`now()` })
    .where('tenantId', '=', tenantId)
    .where('membershipId', '=', membershipId)
    .where('liftedAt', 'is', null)
    .returning(sql<boolean>`until IS NULL OR until > now()`.as('inForce'))
    .execute();
  return rows.filter((r) => r.inForce).length;
}

/** `hours` null: until unmuted. */
export function insertMute(ex: Executor, m: { tenantId: string; cohortId: string; membershipId: string; hours: number | null; reason: string; mutedByMembershipId: string }) {
  return ex
    .insertInto('memberMutes')
    .values({
      tenantId: m.tenantId,
      cohortId: m.cohortId,
      membershipId: m.membershipId,
      until: m.hours === null ? null : sql<Date>`now() + make_interval(hours => ${m.hours})`,
      reason: m.reason,
      mutedByMembershipId: m.mutedByMembershipId,
    })
    .returning(['id', 'until'])
    .executeTakeFirstOrThrow();
}

/** The cohort's members with any mute in force, for the moderation members page. */
export function listMembersWithMutes(ex: Executor, tenantId: string, cohortId: string) {
  return ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .leftJoin('memberMutes as mu', (j) =>
      j
        .onRef('mu.tenantId', '=', 'm.tenantId')
        .onRef('mu.membershipId', '=', 'm.id')
        .on('mu.liftedAt', 'is', null)
        .on((eb) => eb.or([eb('mu.until', 'is', null), eb('mu.until', '>', sql<Date>`now()`)])),
    )
    .select(['m.id as membershipId', 'p.name', 'm.role', 'mu.id as muteId', 'mu.until as mutedUntil', 'mu.reason as muteReason'])
    .where('m.tenantId', '=', tenantId)
    .where('m.cohortId', '=', cohortId)
    .where('m.status', '=', 'active')
    .orderBy('m.role', 'desc')
    .orderBy('p.name')
    .execute();
}

// ---- announcements

export function insertAnnouncement(ex: Executor, a: { tenantId: string; cohortId: string; groupId: string | null; authorMembershipId: string; title: string; body: string }) {
  return ex.insertInto('announcements').values(a).returningAll().executeTakeFirstOrThrow();
}

/** Who reads announcements: a member (the cohort's and their own group's), or a facilitator (every group's too). */
export type AnnouncementReader = { membershipId: string } | { allGroups: true };

/**
 * Announcements a member sees: the cohort's, and their group's (every group's when `allGroups`),
 * newest first. The member's group is looked up in the same statement (group_members_pkey: one
 * group per membership). Also a part of the hub's own statement (modules.queries.ts).
 */
export function announcementsFor(ex: Executor, p: { tenantId: string; cohortId: string; limit: number }, reader: AnnouncementReader) {
  const q = ex
    .selectFrom('announcements as a')
    .leftJoin('groups as g', (j) => j.onRef('g.tenantId', '=', 'a.tenantId').onRef('g.id', '=', 'a.groupId'))
    .select(['a.id', 'a.title', 'a.body', 'a.createdAt', 'g.name as groupName'])
    .where('a.tenantId', '=', p.tenantId)
    .where('a.cohortId', '=', p.cohortId)
    .orderBy('a.createdAt', 'desc')
    .limit(p.limit);
  if ('allGroups' in reader) return q;
  return q.where((eb) =>
    eb.or([
      eb('a.groupId', 'is', null),
      eb('a.groupId', '=', eb.selectFrom('groupMembers as gm').select('gm.groupId').where('gm.tenantId', '=', p.tenantId).where('gm.membershipId', '=', reader.membershipId)),
    ]),
  );
}

export type AnnouncementRow = { id: string; title: string; body: string; createdAt: Date; groupName: string | null };

// The announcements page's reads, in one of two shapes, each built once (preparedQuery).
const listAllAnnouncementsQuery = preparedQuery((ex, p: { tenantId: string; cohortId: string; limit: number }) => announcementsFor(ex, p, { allGroups: true }));
const listMemberAnnouncementsQuery = preparedQuery((ex, p: { tenantId: string; cohortId: string; membershipId: string; limit: number }) => announcementsFor(ex, p, { membershipId: p.membershipId }));

/** How many announcements a page lists, the newest. */
export const ANNOUNCEMENTS_LISTED = 10;

export function listAnnouncementsFor(ex: Executor, tenantId: string, cohortId: string, reader: AnnouncementReader, limit = ANNOUNCEMENTS_LISTED) {
  return 'allGroups' in reader ? listAllAnnouncementsQuery(ex, { tenantId, cohortId, limit }) : listMemberAnnouncementsQuery(ex, { tenantId, cohortId, membershipId: reader.membershipId, limit });
}

export function findAnnouncement(ex: Executor, tenantId: string, announcementId: string) {
  return ex
    .selectFrom('announcements as a')
    .innerJoin('cohorts as c', (j) => j.onRef('c.tenantId', '=', 'a.tenantId').onRef('c.id', '=', 'a.cohortId'))
    .select(['a.id', 'a.cohortId', 'a.groupId', 'a.title', 'a.body', 'c.title as cohortTitle'])
    .where('a.tenantId', '=', tenantId)
    .where('a.id', '=', announcementId)
    .executeTakeFirst();
}

/** Active members an announcement is for (the cohort, or one group's members), with the address the LMS shared. */
export function listAnnouncementAudience(ex: Executor, tenantId: string, a: { cohortId: string; groupId: string | null }) {
  let q = ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .innerJoin('tenants as t', 't.id', 'm.tenantId')
    .select(['p.id as personId', 'p.name', 'p.email'])
    // The recipient's language for the email's own words.
    .select(sql<string>`coalesce(p.locale, p.launch_locale, t.default_locale)`.as('locale'))
    .where('m.tenantId', '=', tenantId)
    .where('m.cohortId', '=', a.cohortId)
    .where('m.status', '=', 'active')
    .where('m.role', '=', 'learner');
  if (a.groupId) {
    const groupId = a.groupId;
    q = q.where((eb) => eb.exists(eb.selectFrom('groupMembers as gm').select('gm.membershipId').whereRef('gm.tenantId', '=', 'm.tenantId').whereRef('gm.membershipId', '=', 'm.id').where('gm.groupId', '=', groupId)));
  }
  return q.execute();
}

/** Claims the email of an announcement to one person: false when it was already sent. */
export async function claimAnnouncementEmail(ex: Executor, tenantId: string, announcementId: string, personId: string): Promise<boolean> {
  const row = await ex.insertInto('announcementEmails').values({ tenantId, announcementId, personId }).onConflict((oc) => oc.doNothing()).returning('personId').executeTakeFirst();
  return row !== undefined;
}

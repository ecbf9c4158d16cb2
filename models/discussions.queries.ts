// Spaces, threads, posts, revisions and kudos; a space's page is read in space-page.queries.ts, a
// thread's pages in thread-page.queries.ts.
// Every statement is scoped by tenant.
import { sql } from 'kysely';
import { preparedQuery, prepareStatement, type Executor } from './db.ts';
import type { Post, Space, Thread } from './schema.ts';
import { POST_EVENTS_CHANNEL } from './post-events.ts';
import { claimAttachmentsCte, MEMBER_PHOTO_JOIN } from './media.queries.ts';

export function findSpace(ex: Executor, tenantId: string, spaceId: string): Promise<Space | undefined> {
  return ex.selectFrom('spaces').selectAll().where('tenantId', '=', tenantId).where('id', '=', spaceId).executeTakeFirst();
}

/** Whether this membership belongs to the space's group (true for the commons; the space is `s`): checked in the space's own query. */
export function inSpaceGroup(membershipId: string) {
  return sql<boolean>`(s.group_id IS NULL OR EXISTS (SELECT 1 FROM group_members gm WHERE gm.tenant_id = s.tenant_id AND gm.membership_id = ${membershipId} AND gm.group_id = s.group_id))`;
}

// The space and thread pages' own lookups, built once (preparedQuery).
const findSpaceForQuery = preparedQuery((ex, p: { tenantId: string; spaceId: string; membershipId: string }) =>
  ex.selectFrom('spaces as s').selectAll('s').select(inSpaceGroup(p.membershipId).as('inGroup')).where('s.tenantId', '=', p.tenantId).where('s.id', '=', p.spaceId),
);

/** The space with whether the membership is in its group: one round trip for the visibility check. */
export async function findSpaceFor(ex: Executor, tenantId: string, spaceId: string, membershipId: string): Promise<(Space & { inGroup: boolean }) | undefined> {
  return (await findSpaceForQuery(ex, { tenantId, spaceId, membershipId }))[0];
}

const findThreadForQuery = preparedQuery((ex, p: { tenantId: string; threadId: string; membershipId: string }) =>
  ex
    .selectFrom('threads as t')
    .innerJoin('spaces as s', (j) => j.onRef('s.tenantId', '=', 't.tenantId').onRef('s.id', '=', 't.spaceId'))
    .selectAll('t')
    .select(['s.cohortId as spaceCohortId', 's.groupId as spaceGroupId', 's.moduleId as spaceModuleId', 's.createdAt as spaceCreatedAt', inSpaceGroup(p.membershipId).as('inGroup')])
    .where('t.tenantId', '=', p.tenantId)
    .where('t.id', '=', p.threadId),
);

/** A thread with its space and whether a membership is in the space's group: what decides whether that person sees it. */
export interface ThreadWithSpace {
  thread: Thread;
  space: Space;
  inGroup: boolean;
}

/** The thread, its space and whether the membership is in the space's group, in one round trip. */
export async function findThreadFor(ex: Executor, tenantId: string, threadId: string, membershipId: string): Promise<ThreadWithSpace | undefined> {
  const [row] = await findThreadForQuery(ex, { tenantId, threadId, membershipId });
  if (!row) return undefined;
  const { spaceCohortId, spaceGroupId, spaceModuleId, spaceCreatedAt, inGroup, ...thread } = row;
  return { thread, space: { tenantId, id: thread.spaceId, cohortId: spaceCohortId, groupId: spaceGroupId, moduleId: spaceModuleId, createdAt: spaceCreatedAt }, inGroup };
}

/** The cohort's commons, created on first use only (concurrent first uses meet at the unique index): reading it writes nothing. */
export async function upsertCommons(ex: Executor, tenantId: string, cohortId: string): Promise<Space> {
  const find = () => ex.selectFrom('spaces').selectAll().where('tenantId', '=', tenantId).where('cohortId', '=', cohortId).where('groupId', 'is', null).executeTakeFirst();
  const found = await find();
  if (found) return found;
  await sql`INSERT INTO spaces (tenant_id, cohort_id) VALUES (${tenantId}, ${cohortId}) ON CONFLICT (tenant_id, cohort_id) WHERE group_id IS NULL DO NOTHING`.execute(ex);
  return (await find())!;
}

/** The group spaces of a module, by group id (the groups of the cohort that have one yet). */
export async function listGroupSpaces(ex: Executor, tenantId: string, cohortId: string, moduleId: number): Promise<Map<string, Space>> {
  const rows = await ex.selectFrom('spaces').selectAll().where('tenantId', '=', tenantId).where('cohortId', '=', cohortId).where('moduleId', '=', moduleId).where('groupId', 'is not', null).execute();
  return new Map(rows.map((s) => [s.groupId!, s]));
}

/**
 * A space for the module for each of these groups of the cohort that has none (on the first visit
 * only: a page that finds its spaces writes nothing). Concurrent first visits meet at the unique index.
 */
export async function insertGroupSpaces(ex: Executor, s: { tenantId: string; cohortId: string; groupIds: string[]; moduleId: number }): Promise<void> {
  await sql`INSERT INTO spaces (tenant_id, cohort_id, group_id, module_id)
    SELECT g.tenant_id, g.cohort_id, g.id, ${s.moduleId}::int FROM groups g
    WHERE g.tenant_id = ${s.tenantId} AND g.cohort_id = ${s.cohortId} AND g.id = ANY(${s.groupIds}::uuid[])
    ON CONFLICT (tenant_id, group_id, module_id) WHERE group_id IS NOT NULL DO NOTHING`.execute(ex);
}

/** A group's space for a module, created on first use only. */
export async function upsertGroupSpace(ex: Executor, s: { tenantId: string; cohortId: string; groupId: string; moduleId: number }): Promise<Space> {
  const find = () => ex.selectFrom('spaces').selectAll().where('tenantId', '=', s.tenantId).where('groupId', '=', s.groupId).where('moduleId', '=', s.moduleId).executeTakeFirst();
  const found = await find();
  if (found) return found;
  await insertGroupSpaces(ex, { tenantId: s.tenantId, cohortId: s.cohortId, groupIds: [s.groupId], moduleId: s.moduleId });
  return (await find())!;
}

export function findThread(ex: Executor, tenantId: string, threadId: string): Promise<Thread | undefined> {
  return ex.selectFrom('threads').selectAll().where('tenantId', '=', tenantId).where('id', '=', threadId).executeTakeFirst();
}

export function insertThread(ex: Executor, t: { tenantId: string; spaceId: string; authorMembershipId: string; title: string }): Promise<Thread> {
  return ex.insertInto('threads').values(t).returningAll().executeTakeFirstOrThrow();
}

export function insertPost(
  ex: Executor,
  p: { tenantId: string; threadId: string; spaceId: string; parentPostId: string | null; authorMembershipId: string; bodySource: string; bodyHtml: string },
): Promise<Post> {
  return ex.insertInto('posts').values(p).returningAll().executeTakeFirstOrThrow();
}

/**
 * A reply and everything that goes with it, in one statement (one round trip, atomic on its own):
 * the post, its mention and reply notifications, the live-update NOTIFY (sent at commit), the
 * author's kept draft of this thread deleted (its pending files claimed, or deleted when taken off
 * the form). The thread's figures and last_post_at are kept by the trigger on posts (T0100).
 */
export async function insertReply(
  ex: Executor,
  r: { tenantId: string; threadId: string; spaceId: string; parentPostId: string | null; authorMembershipId: string; bodySource: string; bodyHtml: string; mentioned: string[]; repliedTo: string[]; draftTarget: string; attachmentIds: string[] },
): Promise<Post> {
  const { rows } = await sql<Post>`
    WITH p AS (
      INSERT INTO posts (tenant_id, thread_id, space_id, parent_post_id, author_membership_id, body_source, body_html)
      VALUES (${r.tenantId}, ${r.threadId}, ${r.spaceId}, ${r.parentPostId}, ${r.authorMembershipId}, ${r.bodySource}, ${r.bodyHtml})
      RETURNING *),
    n AS (
      INSERT INTO notifications (tenant_id, membership_id, kind, actor_membership_id, thread_id, post_id)
      SELECT p.tenant_id, x.membership_id, x.kind, p.author_membership_id, p.thread_id, p.id
      FROM p, (SELECT unnest(${r.mentioned}::uuid[]) AS membership_id, 'mention' AS kind
               UNION ALL SELECT unnest(${r.repliedTo}::uuid[]), 'reply') x),
    d AS (DELETE FROM post_drafts WHERE tenant_id = ${r.tenantId} AND membership_id = ${r.authorMembershipId} AND target = ${r.draftTarget}),
    ${claimAttachmentsCte({ tenantId: r.tenantId, membershipId: r.authorMembershipId, draftTarget: r.draftTarget, keep: r.attachmentIds })},
    e AS (SELECT pg_notify(${POST_EVENTS_CHANNEL}, json_build_object('tenantId', p.tenant_id, 'spaceId', p.space_id, 'threadId', p.thread_id, 'postId', p.id)::text) FROM p)
    SELECT p.* FROM p, e`.execute(ex);
  return rows[0]!;
}

export function findPost(ex: Executor, tenantId: string, postId: string): Promise<Post | undefined> {
  return ex.selectFrom('posts').selectAll().where('tenantId', '=', tenantId).where('id', '=', postId).executeTakeFirst();
}

/** Locks the post for an edit or a delete: concurrent changes to one post queue up. */
export function findPostForUpdate(ex: Executor, tenantId: string, postId: string): Promise<Post | undefined> {
  return ex.selectFrom('posts').selectAll().where('tenantId', '=', tenantId).where('id', '=', postId).forUpdate().executeTakeFirst();
}

export async function updatePostBody(ex: Executor, tenantId: string, postId: string, body: { bodySource: string; bodyHtml: string }): Promise<void> {
  await ex.updateTable('posts').set({ ...body, editedAt: new Date() }).where('tenantId', '=', tenantId).where('id', '=', postId).execute();
}

export async function updatePostStatus(ex: Executor, tenantId: string, postId: string, status: Post['status']): Promise<void> {
  await ex.updateTable('posts').set({ status }).where('tenantId', '=', tenantId).where('id', '=', postId).execute();
}

export async function insertPostRevision(ex: Executor, r: { tenantId: string; postId: string; bodySource: string; bodyHtml: string; replacedByMembershipId: string }): Promise<void> {
  await ex.insertInto('postRevisions').values(r).execute();
}

export function listPostRevisions(ex: Executor, tenantId: string, postId: string) {
  return ex.selectFrom('postRevisions').selectAll().where('tenantId', '=', tenantId).where('postId', '=', postId).orderBy('replacedAt').execute();
}

/** Gives kudos once per giver and post; false when this giver already did. */
export async function insertKudos(ex: Executor, k: { tenantId: string; postId: string; fromMembershipId: string; toMembershipId: string; reason: string }): Promise<boolean> {
  const row = await ex.insertInto('kudos').values(k).onConflict((oc) => oc.columns(['tenantId', 'postId', 'fromMembershipId']).doNothing()).returning('id').executeTakeFirst();
  return row !== undefined;
}

/** Who can see a space (for mentions): its group's members, or the whole cohort for the commons, plus facilitators. */
export function listSpaceAudience(ex: Executor, tenantId: string, space: Space) {
  let q = ex
    .selectFrom('memberships as m')
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['m.id as membershipId', 'p.id as personId', 'p.name', 'm.role'])
    .where('m.tenantId', '=', tenantId)
    .where('m.cohortId', '=', space.cohortId)
    .where('m.status', '=', 'active');
  if (space.groupId) {
    const groupId = space.groupId;
    q = q.where((eb) =>
      eb.or([
        eb('m.role', '=', 'facilitator'),
        eb.exists(eb.selectFrom('groupMembers as gm').select('gm.membershipId').whereRef('gm.tenantId', '=', 'm.tenantId').whereRef('gm.membershipId', '=', 'm.id').where('gm.groupId', '=', groupId)),
      ]),
    );
  }
  return q.execute();
}

/**
 * The facilitator's overview of one module's group spaces: per space its thread count, when it was
 * last posted in, and its group's active members (for their faces), in one round trip.
 */
export async function listSpaceSummaries(ex: Executor, tenantId: string, spaceIds: string[]) {
  if (spaceIds.length === 0) return [];
  const { rows } = await sql<{ spaceId: string; threads: number; lastPostAt: Date | null; members: Array<{ membershipId: string; name: string | null }> }>`
    SELECT s.id AS space_id,
      (SELECT count(*) FROM threads t WHERE t.tenant_id = s.tenant_id AND t.space_id = s.id)::int AS threads,
      (SELECT max(t.last_post_at) FROM threads t WHERE t.tenant_id = s.tenant_id AND t.space_id = s.id) AS last_post_at,
      COALESCE((SELECT json_agg(json_build_object('membershipId', m.id, 'name', p.name) ORDER BY p.name, m.id)
        FROM group_members gm
        JOIN memberships m ON m.tenant_id = gm.tenant_id AND m.id = gm.membership_id AND m.status = 'active'
        JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
        WHERE gm.tenant_id = s.tenant_id AND gm.group_id = s.group_id), '[]'::json) AS members
    FROM spaces s WHERE s.tenant_id = ${tenantId} AND s.id = ANY(${spaceIds}::uuid[])`.execute(ex);
  return rows;
}

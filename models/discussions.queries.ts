// Spaces, threads, posts, revisions and kudos. Every statement is scoped by tenant.
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import { preparedQuery, prepareStatement, type Executor } from './db.ts';
import type { Post, Space, Thread } from './schema.ts';
import { POST_EVENTS_CHANNEL } from './post-events.ts';
import { claimAttachmentsCte, MEMBER_PHOTO_JOIN, type PostAttachmentRow } from './media.queries.ts';

export function findSpace(ex: Executor, tenantId: string, spaceId: string): Promise<Space | undefined> {
  return ex.selectFrom('spaces').selectAll().where('tenantId', '=', tenantId).where('id', '=', spaceId).executeTakeFirst();
}

/** Whether this membership belongs to the space's group (true for the commons): checked in the space's own query. */
function inSpaceGroup(membershipId: string) {
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

/** The thread, its space and whether the membership is in the space's group, in one round trip. */
export async function findThreadFor(ex: Executor, tenantId: string, threadId: string, membershipId: string): Promise<{ thread: Thread; space: Space; inGroup: boolean } | undefined> {
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

export interface SpaceThreadRow {
  id: string;
  title: string;
  createdAt: Date;
  lastPostAt: Date;
  pinnedAt: Date | null;
  lockedAt: Date | null;
  authorMembershipId: string;
  authorName: string | null;
  /** The starter's profile photo, if any. */
  authorPhotoId: string | null;
  authorPhotoHash: string | null;
  /** Visible posts after the opening post. */
  replies: number;
  lastReplyAt: Date | null;
  lastReplyMembershipId: string | null;
  lastReplyName: string | null;
  /** Everyone with a visible post in it. */
  participantCount: number;
  /** The three who posted last (visible posts), the latest first. */
  participants: Array<{ membershipId: string; name: string | null; photoId: string | null; photoHash: string | null }>;
}

/**
 * A space's threads as its list shows them: starter, replies, the last reply (who, when) and who took
 * part (with the starter's and the participants' profile photos), in one statement. The figures are
 * kept on each thread as its posts change (migration T1700), so the list costs a few look-ups per
 * thread, however long the threads grow.
 */
export async function listThreads(ex: Executor, tenantId: string, spaceId: string): Promise<SpaceThreadRow[]> {
  const query = sql<SpaceThreadRow>`
    WITH t AS (
      SELECT id, title, created_at, last_post_at, pinned_at, locked_at, author_membership_id, reply_count, last_reply_at, last_reply_membership_id, participant_count, participant_ids
      FROM threads WHERE tenant_id = ${tenantId} AND space_id = ${spaceId}),
    -- Everyone the list names, each looked up once (not once per thread and role), with their profile photo.
    names AS MATERIALIZED (
      SELECT m.id, p.name, ph.id AS photo_id, ph.content_hash AS photo_hash
      FROM (SELECT DISTINCT x.id FROM t, unnest(t.participant_ids || ARRAY[t.author_membership_id, t.last_reply_membership_id]) x(id) WHERE x.id IS NOT NULL) who
      JOIN memberships m ON m.tenant_id = ${tenantId} AND m.id = who.id
      JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
      ${MEMBER_PHOTO_JOIN})
    SELECT t.id, t.title, t.created_at, t.last_post_at, t.pinned_at, t.locked_at, t.author_membership_id,
      starter.name AS author_name, starter.photo_id AS author_photo_id, starter.photo_hash AS author_photo_hash,
      t.reply_count AS replies, t.last_reply_at, t.last_reply_membership_id,
      (SELECT name FROM names WHERE names.id = t.last_reply_membership_id) AS last_reply_name,
      t.participant_count,
      coalesce((SELECT json_agg(json_build_object('membershipId', x.id, 'name', n.name, 'photoId', n.photo_id, 'photoHash', n.photo_hash) ORDER BY x.ord)
        FROM unnest(t.participant_ids) WITH ORDINALITY AS x(id, ord) LEFT JOIN names n ON n.id = x.id), '[]'::json) AS participants
    FROM t LEFT JOIN names starter ON starter.id = t.author_membership_id
    -- Pinned threads first (the latest pinned on top), then by activity.
    ORDER BY t.pinned_at DESC NULLS LAST, t.last_post_at DESC`;
  // A fixed text: prepared, so PostgreSQL plans it once per connection.
  const { rows } = await ex.executeQuery(prepareStatement(query.compile(ex)));
  return rows;
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

/**
 * Which top-level posts a thread page shows (keyset, never OFFSET: a page costs the same at post 20
 * and post 20,000). `first` and `latest` are the two ends; `after`/`before` a top-level post are the
 * pages next to one; `at` is the page that holds a post (its top-level post and the ones after it,
 * or the latest page when fewer follow). Pages next to one another do not overlap; only a page
 * opened at a post near the end is filled from before it, so it is a whole page.
 */
export type ThreadWindow = { from: 'first' } | { from: 'latest' } | { from: 'after' | 'before' | 'at'; postId: string };

/** A post's own columns and its author's name and role (`po`, `a`); `postColumns` adds the rest. */
function postBaseColumns(sourceOf: string | undefined) {
  return sql`po.id, po.parent_post_id, po.author_membership_id,
    ${sourceOf ? sql`CASE WHEN po.id = ${sourceOf}::uuid THEN po.body_source END` : sql`NULL::text`} AS body_source,
    po.body_html, po.status, po.created_at, po.edited_at, po.moderation_reason, po.facilitator_edited_at, po.endorsed_at,
    a.name AS author_name, a.role AS author_role`;
}

// Earlier versions exist only of a post edited (by its author or a facilitator): no look-up for the others.
const REVISION_COUNT = sql`CASE WHEN po.edited_at IS NULL AND po.facilitator_edited_at IS NULL THEN 0
  ELSE (SELECT count(*) FROM post_revisions r WHERE r.tenant_id = po.tenant_id AND r.post_id = po.id)::int END AS revision_count`;
const KUDOS_JSON = sql`json_agg(json_build_object('reason', k.reason, 'fromMembershipId', k.from_membership_id, 'fromName', kp.name) ORDER BY k.created_at)`;
const KUDOS_FROM = sql`kudos k
  JOIN memberships km ON km.tenant_id = k.tenant_id AND km.id = k.from_membership_id
  JOIN persons kp ON kp.tenant_id = km.tenant_id AND kp.id = km.person_id`;
const FILES_JSON = sql`json_agg(json_build_object('id', f.id, 'kind', f.kind, 'fileName', f.file_name, 'contentType', f.content_type, 'sizeBytes', f.size_bytes,
  'width', f.width, 'height', f.height, 'contentHash', f.content_hash, 'hiddenAt', f.hidden_at, 'membershipId', f.membership_id) ORDER BY f.created_at)`;

/** The columns of a post as the thread page shows it (from `po`, with its author `a`: membership id, role and name). */
function postColumns(sourceOf: string | undefined) {
  return sql`${postBaseColumns(sourceOf)},
    -- The post's kudos come with it (one round trip for the page, whatever its length).
    coalesce((SELECT ${KUDOS_JSON} FROM ${KUDOS_FROM} WHERE k.tenant_id = po.tenant_id AND k.post_id = po.id), '[]'::json) AS kudos,
    ${REVISION_COUNT},
    -- Its files (attachments_post_idx), in the order they were added.
    coalesce((SELECT ${FILES_JSON} FROM attachments f WHERE f.tenant_id = po.tenant_id AND f.post_id = po.id), '[]'::json) AS attachments`;
}

export type ThreadPostRow = Pick<Post, 'id' | 'parentPostId' | 'authorMembershipId' | 'bodyHtml' | 'status' | 'createdAt' | 'editedAt' | 'moderationReason' | 'facilitatorEditedAt' | 'endorsedAt'> & {
  bodySource: string | null;
  authorName: string | null;
  authorRole: string;
  revisionCount: number;
  kudos: Array<{ reason: string; fromMembershipId: string; fromName: string | null }>;
  attachments: PostAttachmentRow[];
};

/**
 * A thread's posts with their authors, kudos and number of earlier versions. A post's Markdown
 * source (up to 20,000 characters, which the page never shows) comes only for `sourceOf`, the post
 * being quoted.
 */
export async function listThreadPosts(ex: Executor, tenantId: string, threadId: string, opts: { onlyPostId?: string | undefined; sourceOf?: string | undefined } = {}): Promise<ThreadPostRow[]> {
  const { rows } = await sql<ThreadPostRow>`
    SELECT ${postColumns(opts.sourceOf)} FROM posts po
    JOIN LATERAL (SELECT m.id, m.role, p.name FROM memberships m JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
                  WHERE m.tenant_id = po.tenant_id AND m.id = po.author_membership_id) a ON TRUE
    WHERE po.tenant_id = ${tenantId} AND po.thread_id = ${threadId} ${opts.onlyPostId ? sql`AND po.id = ${opts.onlyPostId}` : sql``}
    ORDER BY po.created_at, po.id`.execute(ex);
  return rows;
}

/**
 * One page of a thread in one round trip: the window's top-level posts read in order from the
 * partial index of top-level posts (one more than a page, to know whether more lie beyond), their
 * replies by parent, and the thread's first post when the page starts later (the context of every
 * page). Each post comes with its author's profile photo (id and content hash), if any. `inPage`
 * tells that first post from the page's own; `hasOlder`/`hasNewer` say whether pages lie either
 * side. One fixed text per kind of window (and quote or not), each planned once per connection as a
 * prepared statement; the page size is part of the text.
 */
export async function listThreadPage(ex: Executor, tenantId: string, threadId: string, w: ThreadWindow, size: number, opts: { sourceOf?: string | undefined } = {}) {
  const n = sql.lit(size);
  const n1 = sql.lit(size + 1);
  const topLevel = sql`tenant_id = ${tenantId} AND thread_id = ${threadId} AND parent_post_id IS NULL`;
  const cols = sql`id, parent_post_id, author_membership_id, body_source, body_html, status, created_at, edited_at, moderation_reason, facilitator_edited_at, endorsed_at, tenant_id`;
  const anchored = 'postId' in w;
  // A reply anchors the page of its top-level post; anything but a post of this thread anchors nothing (no rows).
  const anchor = anchored
    ? sql`anchor AS (
        SELECT a.created_at, a.id FROM posts x JOIN posts a ON a.tenant_id = x.tenant_id AND a.id = coalesce(x.parent_post_id, x.id)
        WHERE x.tenant_id = ${tenantId} AND x.id = ${w.postId}::uuid AND a.thread_id = ${threadId} AND a.parent_post_id IS NULL),`
    : sql``;
  const key = sql`(created_at, id)`;
  const fromAnchor = sql`(SELECT created_at, id FROM anchor)`;
  const forward = (cond: RawBuilder<unknown>) => sql`fwd AS (SELECT ${cols} FROM posts WHERE ${topLevel} AND ${cond} ORDER BY created_at, id LIMIT ${n1}),`;
  const backward = (cond: RawBuilder<unknown>, limit: RawBuilder<unknown>) => sql`back AS (SELECT ${cols} FROM posts WHERE ${topLevel} AND ${cond} ORDER BY created_at DESC, id DESC LIMIT ${limit}),`;
  const fwdPage = sql`(SELECT * FROM fwd ORDER BY created_at, id LIMIT ${n})`;
  const backPage = sql`(SELECT * FROM back ORDER BY created_at DESC, id DESC LIMIT ${n})`;
  const fwdCount = sql`(SELECT count(*) FROM fwd)`;
  const backCount = sql`(SELECT count(*) FROM back)`;
  // Per kind: the CTEs reading the index, the page's top-level posts, and whether pages lie either side.
  const kind = {
    first: { ctes: forward(sql`TRUE`), page: fwdPage, older: sql`FALSE`, newer: sql`${fwdCount} > ${n}` },
    after: { ctes: forward(sql`${key} > ${fromAnchor}`), page: fwdPage, older: sql`EXISTS (SELECT 1 FROM anchor)`, newer: sql`${fwdCount} > ${n}` },
    latest: { ctes: backward(sql`TRUE`, n1), page: backPage, older: sql`${backCount} > ${n}`, newer: sql`FALSE` },
    before: { ctes: backward(sql`${key} < ${fromAnchor}`, n1), page: backPage, older: sql`${backCount} > ${n}`, newer: sql`EXISTS (SELECT 1 FROM anchor)` },
    // From the anchor on; near the end, filled from before it to a whole page (and one more, to know whether older pages remain).
    at: {
      ctes: sql`${forward(sql`${key} >= ${fromAnchor}`)} ${backward(sql`${key} < ${fromAnchor}`, sql`(SELECT ${n1} - least(${n}, count(*)) FROM fwd)`)}`,
      page: sql`(${fwdPage} UNION ALL (SELECT * FROM back ORDER BY created_at DESC, id DESC LIMIT (SELECT ${n} - least(${n}, count(*)) FROM fwd)))`,
      older: sql`${backCount} > ${n} - least(${n}, ${fwdCount})`,
      newer: sql`${fwdCount} > ${n}`,
    },
  }[w.from];
  // The thread's first post heads a page that starts later (on the first page it is the page's own).
  const opening = w.from === 'first'
    ? sql``
    : sql`UNION ALL SELECT o.*, FALSE FROM (SELECT ${cols} FROM posts WHERE ${topLevel} ORDER BY created_at, id LIMIT 1) o WHERE o.id NOT IN (SELECT id FROM page)`;
  const query = sql<ThreadPostRow & { authorPhotoId: string | null; authorPhotoHash: string | null; inPage: boolean; hasOlder: boolean; hasNewer: boolean }>`
    WITH ${anchor} ${kind.ctes}
    page AS ${kind.page},
    shown AS (
      SELECT page.*, TRUE AS in_page FROM page
      ${opening}
      UNION ALL SELECT ${cols}, FALSE FROM posts WHERE tenant_id = ${tenantId} AND parent_post_id IN (SELECT id FROM page)),
    -- Each author read once, however many of the page's posts are theirs, with their profile photo.
    authors AS MATERIALIZED (
      SELECT m.id, m.role, p.name, ph.id AS photo_id, ph.content_hash AS photo_hash FROM (SELECT DISTINCT author_membership_id FROM shown) x
      JOIN memberships m ON m.tenant_id = ${tenantId} AND m.id = x.author_membership_id
      JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
      ${MEMBER_PHOTO_JOIN}),
    -- The page's kudos and files, each read in one index scan and grouped by post: a look-up per post
    -- (a correlated subquery) cost a third of the statement's time. The ids go to the index as one
    -- array (= ANY): as a join (IN (SELECT …)) the planner may read the whole tenant's kudos instead.
    -- MATERIALIZED: each is read once; inlined, the generic plan of this prepared statement (which
    -- expects one kudos) read them again for every post, 6 ms at 100 k posts.
    kudos_of AS MATERIALIZED (SELECT k.post_id, ${KUDOS_JSON} AS kudos FROM ${KUDOS_FROM} WHERE k.tenant_id = ${tenantId} AND k.post_id = ANY (ARRAY(SELECT id FROM shown)) GROUP BY k.post_id),
    files_of AS MATERIALIZED (SELECT f.post_id, ${FILES_JSON} AS attachments FROM attachments f WHERE f.tenant_id = ${tenantId} AND f.post_id = ANY (ARRAY(SELECT id FROM shown)) GROUP BY f.post_id)
    SELECT ${postBaseColumns(opts.sourceOf)}, coalesce(ko.kudos, '[]'::json) AS kudos, ${REVISION_COUNT}, coalesce(fo.attachments, '[]'::json) AS attachments,
      a.photo_id AS author_photo_id, a.photo_hash AS author_photo_hash, po.in_page, ${kind.older} AS has_older, ${kind.newer} AS has_newer
    FROM shown po JOIN authors a ON a.id = po.author_membership_id
      LEFT JOIN kudos_of ko ON ko.post_id = po.id
      LEFT JOIN files_of fo ON fo.post_id = po.id
    ORDER BY po.created_at, po.id`;
  const { rows } = await ex.executeQuery(prepareStatement(query.compile(ex)));
  const hasOlder = rows[0]?.hasOlder ?? false;
  const hasNewer = rows[0]?.hasNewer ?? false;
  // The rows go out as read: taking has_older/has_newer off each with a rest pattern copied every
  // row's 20-odd fields again (6 % of the thread page's CPU).
  return { posts: rows as Array<Omit<(typeof rows)[number], 'hasOlder' | 'hasNewer'>>, hasOlder, hasNewer, empty: !rows.some((r) => r.inPage) };
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

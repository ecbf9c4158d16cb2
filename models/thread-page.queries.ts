// A thread as its page shows it: one window of posts with their authors, kudos, files and number
// of earlier versions, in one round trip. Every statement is scoped by tenant.
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import { executeAsNamed, type Executor } from './db.ts';
import { dateOfJson } from './timestamps.ts';
import type { Post } from './schema.ts';
import { MEMBER_PHOTO_JOIN, type PostAttachmentRow } from './media.queries.ts';
import { keptFormOf, keptFormSql, type DraftTarget, type KeptForm, type KeptFormColumns } from './post-drafts.queries.ts';
import { inSpaceGroup, type ThreadWithSpace } from './discussions.queries.ts';

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
  return sql`po.id, po.parent_post_id AS "parentPostId", po.author_membership_id AS "authorMembershipId",
    ${sourceOf ? sql`CASE WHEN po.id = ${sourceOf}::uuid THEN po.body_source END` : sql`NULL::text`} AS "bodySource",
    po.body_html AS "bodyHtml", po.status, po.created_at AS "createdAt", po.edited_at AS "editedAt", po.moderation_reason AS "moderationReason",
    po.facilitator_edited_at AS "facilitatorEditedAt", po.endorsed_at AS "endorsedAt", a.name AS "authorName", a.role AS "authorRole"`;
}

// Earlier versions exist only of a post edited (by its author or a facilitator): no look-up for the others.
const REVISION_COUNT = sql`CASE WHEN po.edited_at IS NULL AND po.facilitator_edited_at IS NULL THEN 0
  ELSE (SELECT count(*) FROM post_revisions r WHERE r.tenant_id = po.tenant_id AND r.post_id = po.id)::int END AS "revisionCount"`;
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

// The thread and its space, with whether `membershipId` is in the space's group (what decides who
// sees the page), as one JSON value on the page's first row: as columns of their own, 17 more
// fields on every row cost more to parse than the round trip they saved.
const threadJson = (membershipId: string) => sql`json_build_object('id', t.id, 'spaceId', t.space_id, 'authorMembershipId', t.author_membership_id, 'title', t.title,
  'createdAt', t.created_at, 'lastPostAt', t.last_post_at, 'pinnedAt', t.pinned_at, 'lockedAt', t.locked_at,
  'replyCount', t.reply_count, 'lastReplyAt', t.last_reply_at, 'lastReplyMembershipId', t.last_reply_membership_id,
  'participantCount', t.participant_count, 'participantIds', t.participant_ids,
  'cohortId', s.cohort_id, 'groupId', s.group_id, 'moduleId', s.module_id, 'spaceCreatedAt', s.created_at, 'inGroup', ${inSpaceGroup(membershipId)})`;

/** threadJson as it arrives (JSON carries timestamps as text). */
interface ThreadJson {
  id: string;
  spaceId: string;
  authorMembershipId: string;
  title: string;
  createdAt: string;
  lastPostAt: string;
  pinnedAt: string | null;
  lockedAt: string | null;
  replyCount: number;
  lastReplyAt: string | null;
  lastReplyMembershipId: string | null;
  participantCount: number;
  participantIds: string[];
  cohortId: string;
  groupId: string | null;
  moduleId: number | null;
  spaceCreatedAt: string;
  inGroup: boolean;
}

function threadWithSpaceOf(tenantId: string, j: ThreadJson): ThreadWithSpace {
  return {
    thread: {
      tenantId, id: j.id, spaceId: j.spaceId, authorMembershipId: j.authorMembershipId, title: j.title, createdAt: new Date(j.createdAt), lastPostAt: new Date(j.lastPostAt),
      pinnedAt: dateOfJson(j.pinnedAt), lockedAt: dateOfJson(j.lockedAt), replyCount: j.replyCount, lastReplyAt: dateOfJson(j.lastReplyAt), lastReplyMembershipId: j.lastReplyMembershipId,
      participantCount: j.participantCount, participantIds: j.participantIds,
    },
    space: { tenantId, id: j.spaceId, cohortId: j.cohortId, groupId: j.groupId, moduleId: j.moduleId, createdAt: new Date(j.spaceCreatedAt) },
    inGroup: j.inGroup,
  };
}

/** A post as the thread page reads it: its columns, its author's profile photo, and whether it is the page's own. */
export type ThreadPageRow = ThreadPostRow & { inPage: boolean };

export type ThreadPostRow = Pick<Post, 'id' | 'parentPostId' | 'authorMembershipId' | 'bodyHtml' | 'status' | 'createdAt' | 'editedAt' | 'moderationReason' | 'facilitatorEditedAt' | 'endorsedAt'> & {
  bodySource: string | null;
  authorName: string | null;
  authorRole: string;
  /** The author's profile photo (id and content hash), if any. */
  authorPhotoId: string | null;
  authorPhotoHash: string | null;
  revisionCount: number;
  kudos: Array<{ reason: string; fromMembershipId: string; fromName: string | null }>;
  attachments: PostAttachmentRow[];
};

/**
 * A thread's posts with their authors (and their profile photos), kudos and number of earlier versions. A post's Markdown
 * source (up to 20,000 characters, which the page never shows) comes only for `sourceOf`, the post
 * being quoted.
 */
export async function listThreadPosts(ex: Executor, tenantId: string, threadId: string, opts: { onlyPostId?: string | undefined; sourceOf?: string | undefined } = {}): Promise<ThreadPostRow[]> {
  const { rows } = await sql<ThreadPostRow>`
    SELECT ${postColumns(opts.sourceOf)}, a.photo_id AS "authorPhotoId", a.photo_hash AS "authorPhotoHash" FROM posts po
    JOIN LATERAL (SELECT m.id, m.role, p.name, ph.id AS photo_id, ph.content_hash AS photo_hash FROM memberships m JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
                  ${MEMBER_PHOTO_JOIN}
                  WHERE m.tenant_id = po.tenant_id AND m.id = po.author_membership_id) a ON TRUE
    WHERE po.tenant_id = ${tenantId} AND po.thread_id = ${threadId} ${opts.onlyPostId ? sql`AND po.id = ${opts.onlyPostId}` : sql``}
    ORDER BY po.created_at, po.id`.execute(ex);
  return rows;
}

/** A page of a thread's posts as every reader reads it alike (no reader's own columns): what the app keeps across requests. */
export interface ThreadPage {
  posts: readonly ThreadPageRow[];
  hasOlder: boolean;
  hasNewer: boolean;
  empty: boolean;
}

/**
 * The page as every reader may share it: its first row without what listThreadPage joined to it for
 * one reader (the kept form and the thread with their group check), frozen (its kudos and files
 * too) so that no reader's view changes it for the next.
 */
export function sharedThreadPage(page: ThreadPage): ThreadPage {
  const [first, ...rest] = page.posts;
  if (!first) return Object.freeze({ ...page, posts: Object.freeze([]) });
  const { keptTitle: _title, keptBody: _body, keptAt: _at, pending: _pending, thread: _thread, ...own } = first as ThreadPageRow & Partial<KeptFormColumns> & { thread?: unknown };
  // Its kudos and files too: a frozen row is rendered once per reader's relation to it (post-html.ts).
  const frozen = (row: ThreadPageRow) => {
    for (const list of [row.kudos, row.attachments]) {
      list.forEach((item) => Object.freeze(item));
      Object.freeze(list);
    }
    return Object.freeze(row);
  };
  return Object.freeze({ ...page, posts: Object.freeze([own, ...rest].map(frozen)) });
}

/**
 * What a page of the thread needs besides its posts, for one reader, in one round trip: the thread,
 * its space and whether `membershipId` is in the space's group (for the caller to decide whether this
 * person sees the page), and what they kept on the thread's reply form. Undefined when there is no
 * such thread in the tenant. Read with a page kept from an earlier request (sharedThreadPage).
 */
export async function findThreadHead(ex: Executor, tenantId: string, threadId: string, keptFor: { membershipId: string; target: DraftTarget }): Promise<{ thread: ThreadWithSpace; keptForm: KeptForm } | undefined> {
  const kept = keptFormSql(tenantId, keptFor.membershipId, keptFor.target);
  const [row] = await executeAsNamed(
    ex,
    sql<{ thread: ThreadJson } & KeptFormColumns>`SELECT ${threadJson(keptFor.membershipId)} AS thread, ${kept.columns}
      FROM threads t JOIN spaces s ON s.tenant_id = t.tenant_id AND s.id = t.space_id ${kept.join}
      WHERE t.tenant_id = ${tenantId} AND t.id = ${threadId}`,
  );
  return row && { thread: threadWithSpaceOf(tenantId, row.thread), keptForm: keptFormOf(row) };
}

/**
 * One page of a thread in one round trip: the window's top-level posts read in order from the
 * partial index of top-level posts (one more than a page, to know whether more lie beyond), their
 * replies by parent, and the thread's first post when the page starts later (the context of every
 * page). Each post comes with its author's profile photo (id and content hash), if any. `inPage`
 * tells that first post from the page's own; `hasOlder`/`hasNewer` say whether pages lie either
 * side. One fixed text per kind of window (and quote or not), each planned once per connection as a
 * prepared statement; the page size is part of the text.
 *
 * With `keptFor`, what that person kept on the page's reply form comes on the first row (not on
 * every row: a draft can be 20,000 characters); `keptForm` is undefined when the page has no row.
 * With `threadFor` (a membership), so do the thread, its space and whether that membership is in the
 * space's group (`thread`, undefined when the page has no row): the caller decides from them,
 * before anything of the page is shown, whether this person sees it. One round trip for the page.
 */
export async function listThreadPage(
  ex: Executor,
  tenantId: string,
  threadId: string,
  w: ThreadWindow,
  size: number,
  opts: { sourceOf?: string | undefined; keptFor?: { membershipId: string; target: DraftTarget } | undefined; threadFor?: string | undefined } = {},
): Promise<ThreadPage & { posts: ThreadPageRow[]; keptForm: KeptForm | undefined; thread: ThreadWithSpace | undefined }> {
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
  const kept = opts.keptFor && keptFormSql(tenantId, opts.keptFor.membershipId, opts.keptFor.target);
  const threadOf = opts.threadFor
    ? sql`, th AS MATERIALIZED (SELECT ${threadJson(opts.threadFor)} AS thread
        FROM threads t JOIN spaces s ON s.tenant_id = t.tenant_id AND s.id = t.space_id WHERE t.tenant_id = ${tenantId} AND t.id = ${threadId})`
    : sql``;
  // The kept form and the thread come on the first row only.
  const firstRow = sql`po.id = (SELECT id FROM shown ORDER BY created_at, id LIMIT 1)`;
  const query = sql<ThreadPageRow & { hasOlder: boolean; hasNewer: boolean } & Partial<KeptFormColumns> & { thread?: ThreadJson | null }>`
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
    ${kept ? sql`, kept AS MATERIALIZED (SELECT ${kept.columns} FROM (SELECT) one ${kept.join})` : sql``}
    ${threadOf}
    SELECT ${postBaseColumns(opts.sourceOf)}, coalesce(ko.kudos, '[]'::json) AS kudos, ${REVISION_COUNT}, coalesce(fo.attachments, '[]'::json) AS attachments,
      a.photo_id AS "authorPhotoId", a.photo_hash AS "authorPhotoHash", po.in_page AS "inPage", ${kind.older} AS "hasOlder", ${kind.newer} AS "hasNewer"
      ${kept ? sql`, kept.*` : sql``}
      ${opts.threadFor ? sql`, th.*` : sql``}
    FROM shown po JOIN authors a ON a.id = po.author_membership_id
      LEFT JOIN kudos_of ko ON ko.post_id = po.id
      LEFT JOIN files_of fo ON fo.post_id = po.id
      ${kept ? sql`LEFT JOIN kept ON ${firstRow}` : sql``}
      ${opts.threadFor ? sql`LEFT JOIN th ON ${firstRow}` : sql``}
    ORDER BY po.created_at, po.id`;
  // Every column above is named as it is read (executeAsNamed).
  const rows = await executeAsNamed(ex, query);
  const hasOlder = rows[0]?.hasOlder ?? false;
  const hasNewer = rows[0]?.hasNewer ?? false;
  const first = rows[0];
  // The first row is the one the kept form was joined to (its pending files are at least '[]'); were
  // it not, the caller reads the kept form on its own rather than lose it.
  const keptForm = kept && first && first.pending != null ? keptFormOf(first as KeptFormColumns) : undefined;
  // Likewise the thread: a first row without it (a thread of another tenant has no post here) brings none.
  const thread = opts.threadFor && first?.thread ? threadWithSpaceOf(tenantId, first.thread) : undefined;
  // The rows go out as read: taking has_older/has_newer (and the kept form's columns) off each with a
  // rest pattern copied every row's 20-odd fields again (6 % of the thread page's CPU).
  return { posts: rows as ThreadPageRow[], hasOlder, hasNewer, empty: !rows.some((r) => r.inPage), keptForm, thread };
}

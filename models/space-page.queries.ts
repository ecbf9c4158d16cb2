// A space as its page shows it, in one round trip: the space itself with whether the reader is in its
// group (what decides whether they see it), its threads and, for a group's space, the group's latest
// norms and its member strip, with the reader's kept draft of a new thread. Each of these was a
// statement of its own; on a page that costs a millisecond, a round trip is a third of it.
// Every part is scoped by tenant.
import { sql } from 'kysely';
import { executeAsNamed, type Executor } from './db.ts';
import { dateOfJson } from './timestamps.ts';
import { MEMBER_PHOTO_JOIN } from './media.queries.ts';
import { keptFormOf, keptFormSql, type DraftTarget, type KeptForm, type KeptFormColumns } from './post-drafts.queries.ts';
import { inSpaceGroup } from './discussions.queries.ts';
import type { Space } from './schema.ts';

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

/** A member of the group's strip: name, profile photo, and when each was last seen (last launch, or last post if later). */
export interface SpaceMemberRow {
  membershipId: string;
  name: string | null;
  lastLaunchAt: Date | null;
  lastPostAt: Date | null;
  photoId: string | null;
  photoHash: string | null;
}

export interface SpacePage {
  /** The space, with whether the reader's membership is in its group (or it has none); undefined when this tenant has no such space. */
  space: { space: Space; inGroup: boolean } | undefined;
  threads: SpaceThreadRow[];
  /** The group's latest norms (none saved yet, or the commons: empty). */
  norms: string[];
  members: SpaceMemberRow[];
  keptForm: KeptForm;
}

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

/**
 * One space's page as `membershipId` would see it. Nothing of it may be shown before the caller has
 * decided from `space` (its cohort, its group, and whether this membership is in that group) that
 * this person sees the space: the norms and the member strip are those of the space's own group.
 *
 * The threads: starter, replies, the last reply (who, when) and who took part, with profile photos.
 * The figures are kept on each thread as its posts change (migration T1700), so the list costs a few
 * look-ups per thread, however long the threads grow. Pinned threads first (the latest pinned on
 * top), then by activity. The strip: the group's active members by name.
 */
export async function listSpacePage(ex: Executor, page: { tenantId: string; spaceId: string; membershipId: string; target: DraftTarget }): Promise<SpacePage> {
  const kept = keptFormSql(page.tenantId, page.membershipId, page.target);
  const query = sql<{ space: Json<Space & { inGroup: boolean }> | null; threads: Json<SpaceThreadRow>[]; norms: string[] | null; members: Json<SpaceMemberRow>[] } & KeptFormColumns>`
    WITH s AS MATERIALIZED (
      SELECT s.tenant_id, s.id, s.cohort_id, s.group_id, s.module_id, s.created_at, ${inSpaceGroup(page.membershipId)} AS in_group
      FROM spaces s WHERE s.tenant_id = ${page.tenantId} AND s.id = ${page.spaceId}),
    t AS (
      SELECT id, title, created_at, last_post_at, pinned_at, locked_at, author_membership_id, reply_count, last_reply_at, last_reply_membership_id, participant_count, participant_ids
      FROM threads WHERE tenant_id = ${page.tenantId} AND space_id = ${page.spaceId}),
    -- Everyone the list names, each looked up once (not once per thread and role), with their profile photo.
    names AS MATERIALIZED (
      SELECT m.id, p.name, ph.id AS photo_id, ph.content_hash AS photo_hash
      FROM (SELECT DISTINCT x.id FROM t, unnest(t.participant_ids || ARRAY[t.author_membership_id, t.last_reply_membership_id]) x(id) WHERE x.id IS NOT NULL) who
      JOIN memberships m ON m.tenant_id = ${page.tenantId} AND m.id = who.id
      JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
      ${MEMBER_PHOTO_JOIN})
    SELECT
      (SELECT json_build_object('tenantId', s.tenant_id, 'id', s.id, 'cohortId', s.cohort_id, 'groupId', s.group_id, 'moduleId', s.module_id, 'createdAt', s.created_at, 'inGroup', s.in_group) FROM s) AS space,
      coalesce((SELECT json_agg(json_build_object(
          'id', t.id, 'title', t.title, 'createdAt', t.created_at, 'lastPostAt', t.last_post_at, 'pinnedAt', t.pinned_at, 'lockedAt', t.locked_at,
          'authorMembershipId', t.author_membership_id, 'authorName', starter.name, 'authorPhotoId', starter.photo_id, 'authorPhotoHash', starter.photo_hash,
          'replies', t.reply_count, 'lastReplyAt', t.last_reply_at, 'lastReplyMembershipId', t.last_reply_membership_id,
          'lastReplyName', (SELECT name FROM names WHERE names.id = t.last_reply_membership_id),
          'participantCount', t.participant_count,
          'participants', coalesce((SELECT json_agg(json_build_object('membershipId', x.id, 'name', n.name, 'photoId', n.photo_id, 'photoHash', n.photo_hash) ORDER BY x.ord)
            FROM unnest(t.participant_ids) WITH ORDINALITY AS x(id, ord) LEFT JOIN names n ON n.id = x.id), '[]'::json))
          ORDER BY t.pinned_at DESC NULLS LAST, t.last_post_at DESC)
        FROM t LEFT JOIN names starter ON starter.id = t.author_membership_id), '[]'::json) AS threads,
      (SELECT v.norms FROM group_norm_versions v WHERE v.tenant_id = ${page.tenantId} AND v.group_id = (SELECT group_id FROM s) ORDER BY v.version DESC LIMIT 1) AS norms,
      coalesce((SELECT json_agg(json_build_object('membershipId', m.id, 'name', p.name, 'lastLaunchAt', m.last_launch_at,
          'lastPostAt', (SELECT max(po.created_at) FROM posts po WHERE po.tenant_id = m.tenant_id AND po.author_membership_id = m.id),
          'photoId', ph.id, 'photoHash', ph.content_hash) ORDER BY p.name, m.id)
        FROM group_members gm
        JOIN memberships m ON m.tenant_id = gm.tenant_id AND m.id = gm.membership_id
        JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
        ${MEMBER_PHOTO_JOIN}
        WHERE gm.tenant_id = ${page.tenantId} AND gm.group_id = (SELECT group_id FROM s) AND m.status = 'active'), '[]'::json) AS members,
      ${kept.columns}
    FROM (SELECT) one ${kept.join}`;
  // Read by every space page: a named statement, planned once per connection. Its columns and the
  // keys of its JSON are named as read, so it runs past the CamelCasePlugin (which would rebuild
  // every thread and member object inside the JSON).
  const [row] = await executeAsNamed(ex, query);
  const { space, threads, norms, members } = row!;
  return {
    space: space ? { space: { tenantId: space.tenantId, id: space.id, cohortId: space.cohortId, groupId: space.groupId, moduleId: space.moduleId, createdAt: new Date(space.createdAt) }, inGroup: space.inGroup } : undefined,
    threads: threads.map((t) => ({ ...t, createdAt: new Date(t.createdAt), lastPostAt: new Date(t.lastPostAt), pinnedAt: dateOfJson(t.pinnedAt), lockedAt: dateOfJson(t.lockedAt), lastReplyAt: dateOfJson(t.lastReplyAt) })),
    norms: norms ?? [],
    members: members.map((m) => ({ ...m, lastLaunchAt: dateOfJson(m.lastLaunchAt), lastPostAt: dateOfJson(m.lastPostAt) })),
    keptForm: keptFormOf(row!),
  };
}

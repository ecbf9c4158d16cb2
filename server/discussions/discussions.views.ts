import type { Space, Thread, Post } from '../../models/schema.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { I18n, MessageRef } from '../i18n/i18n.ts';
import type { PostView } from './post-html.ts';
import type { SpaceThreadRow } from '../../models/space-page.queries.ts';
import type { Workshop, WorkshopModule } from '../modules/workshop-content.ts';
import { avatarView } from '../http/avatar.ts';
import { relativeTime, timeView } from '../http/relative-time.ts';
import { photoUrl } from '../media/profile-photos.ts';
import { memberStripView, type StripMember } from '../groups/member-strip.ts';
import { attachmentView, type PostAttachmentRow } from '../media/attachment-view.ts';

/** The thread list: starter, replies, the last reply (who, when) and the faces of who took part. */
function threadListItem(i18n: I18n, who: LaunchContext, t: SpaceThreadRow, now: Date, photos: ReadonlyMap<string, string>) {
  const more = t.participantCount - t.participants.length;
  const someone = i18n.t('discussions.someone');
  return {
    href: `/cohorts/${who.cohortId}/threads/${t.id}`,
    title: t.title,
    author: t.authorName,
    avatar: avatarView(t.authorMembershipId, t.authorName, photos.get(t.authorMembershipId)),
    started: timeView(t.createdAt, now, i18n),
    replies: t.replies,
    lastReply: t.lastReplyAt ? { by: t.lastReplyName ?? someone, at: timeView(t.lastReplyAt, now, i18n) } : undefined,
    participants: t.participants.map((p) => ({ avatar: avatarView(p.membershipId, p.name, photos.get(p.membershipId)) })),
    participantsLabel: i18n.t('discussions.space.participants', { count: t.participantCount, names: i18n.list([...t.participants.map((p) => p.name ?? someone), ...(more > 0 ? [i18n.t('discussions.space.more', { count: more })] : [])]) }),
    morePeople: more > 0 ? more : 0,
    pinned: Boolean(t.pinnedAt),
    locked: Boolean(t.lockedAt),
  };
}

export function spaceView(
  i18n: I18n,
  who: LaunchContext,
  space: Space,
  threads: SpaceThreadRow[],
  workshop: Workshop,
  flash?: { error: MessageRef | string; form: { title: string; body: string } },
  norms: string[] = [],
  members: StripMember[] = [],
  /** Profile photos of the page's people, by membership id (server/media/profile-photos.ts). */
  photos: ReadonlyMap<string, string> = new Map(),
) {
  const now = new Date();
  const module = space.moduleId !== null ? workshop.byId(space.moduleId) : undefined;
  return {
    cohort: { id: who.cohortId },
    person: { name: who.displayName },
    space: { id: space.id, isCommons: !space.groupId, moduleNumber: space.moduleId, moduleTitle: module?.title ?? '', events: `/cohorts/${who.cohortId}/spaces/${space.id}/events` },
    // A group's norms head each of its spaces (none in the commons).
    norms: space.groupId ? { list: norms, href: `/cohorts/${who.cohortId}/groups/${space.groupId}/norms` } : undefined,
    // The module's discussion prompt: what the group takes up here (a module space only).
    prompts: space.groupId && module ? module.activities.filter((a) => a.kind === 'discussion').map((a) => ({ title: a.title, html: a.promptHtml, moduleHref: `/cohorts/${who.cohortId}/modules/${module.id}#${a.id}` })) : [],
    members: memberStripView(members, who.membershipId, now, photos, i18n),
    threads: threads.map((t) => threadListItem(i18n, who, t, now, photos)),
    canPost: who.role !== 'observer',
    error: flash?.error,
    form: flash?.form ?? { title: '', body: '' },
  };
}

/** The facilitator's view of one module's group spaces: a card per group, with faces and activity. */
export function moduleSpacesView(
  i18n: I18n,
  who: LaunchContext,
  moduleTitle: string | undefined,
  spaces: Array<{ group: { name: string }; space: { id: string }; summary: { threads: number; lastPostAt: Date | null; members: Array<{ membershipId: string; name: string | null }> } }>,
  photos: ReadonlyMap<string, string> = new Map(),
) {
  const now = new Date();
  return {
    cohort: { id: who.cohortId },
    person: { name: who.displayName },
    moduleTitle,
    spaces: spaces.map(({ group, space, summary }) => ({
      name: group.name,
      href: `/cohorts/${who.cohortId}/spaces/${space.id}`,
      threads: summary.threads,
      lastPost: summary.lastPostAt ? timeView(summary.lastPostAt, now, i18n) : undefined,
      members: summary.members.map((m) => ({ avatar: avatarView(m.membershipId, m.name, photos.get(m.membershipId)) })),
      membersLabel: i18n.list(summary.members.map((m) => m.name ?? i18n.t('groups.nameNotShared'))),
    })),
  };
}

export type PostRow = Pick<Post, 'id' | 'parentPostId' | 'authorMembershipId' | 'bodyHtml' | 'status' | 'createdAt' | 'editedAt' | 'moderationReason' | 'facilitatorEditedAt' | 'endorsedAt'> & {
  /** Only for the post being quoted (see listThreadPosts). */
  bodySource: string | null;
  authorName: string | null;
  authorRole: string;
  revisionCount: string | number | null;
  kudos: Array<{ reason: string; fromMembershipId: string; fromName: string | null }>;
  /** Absent where a caller reads posts without their files. */
  attachments?: PostAttachmentRow[];
  /** The author's profile photo, when they have one, as the thread's statements read it (the view addresses it: server/media/profile-photos.ts). */
  authorPhotoId?: string | null;
  authorPhotoHash?: string | null;
};

/**
 * What of its reader a post's view depends on: their role and cohort, and how they stand to the post
 * (its author, a giver of its kudos, the uploader of a file on it a facilitator hid). postView reads
 * the reader only through this, so a post and this say everything its view holds but the time.
 */
export interface PostReader {
  cohortId: string;
  role: LaunchContext['role'];
  mine: boolean;
  gaveKudos: boolean;
  /** The post's hidden files this reader uploaded (they still see them). */
  ownHiddenFiles: readonly string[];
}

export function postReader(who: LaunchContext, p: PostRow): PostReader {
  return {
    cohortId: who.cohortId,
    role: who.role,
    mine: p.authorMembershipId === who.membershipId,
    gaveKudos: p.kudos.some((k) => k.fromMembershipId === who.membershipId),
    ownHiddenFiles: (p.attachments ?? []).filter((a) => a.hiddenAt && a.membershipId === who.membershipId).map((a) => a.id),
  };
}

/** The reader and the time as one string: with a post that cannot change (frozen), it names the post's view (post-html.ts). */
export function postReaderKey(i18n: I18n, r: PostReader, p: PostRow, now: Date): string {
  return `${i18n.locale} ${r.role} ${r.cohortId} ${r.mine ? 1 : 0}${r.gaveKudos ? 1 : 0} ${r.ownHiddenFiles.join(',')} ${relativeTime(p.createdAt, now, i18n)}`;
}

/**
 * One post as the page shows it (also sent alone to live-update a thread), for a reader of `i18n`'s
 * language: its relative time is worded here, the rest by the template (post-html.ts keeps each
 * rendering by reader's language and view).
 */
export function postView(i18n: I18n, who: LaunchContext, threadId: string, p: PostRow) {
  return postViewFor(i18n, postReader(who, p), threadId, p, new Date());
}

function postViewFor(i18n: I18n, r: PostReader, threadId: string, p: PostRow, now: Date) {
  const { mine } = r;
  const deleted = p.status === 'deleted';
  const hidden = p.status === 'hidden';
  const facilitator = r.role === 'facilitator';
  // A hidden post stays readable to its author and the facilitators, with the reason; removed by a
  // facilitator, its author still learns why.
  const moderation = moderationView(r, p, mine);
  const html = deleted || (hidden && !mine && !facilitator) ? undefined : p.bodyHtml;
  const canKudos = !mine && !deleted && !hidden && r.role !== 'observer' && !r.gaveKudos;
  // The "…" menu: quote, flag, edit and delete, moderation; shown only when it holds something.
  const menu = Boolean(html) || moderation.canFlag || (mine && !deleted) || moderation.moderate !== undefined;
  return {
    id: p.id,
    author: p.authorName,
    avatar: avatarView(p.authorMembershipId, p.authorName, photoUrl(r, { id: p.authorPhotoId ?? null, contentHash: p.authorPhotoHash ?? null })),
    isFacilitator: p.authorRole === 'facilitator',
    when: timeView(p.createdAt, now, i18n),
    edited: p.editedAt !== null,
    // Only the sanitised HTML is output unescaped; deleted and hidden posts show a placeholder.
    html,
    // Why there is no text: the template words it (discussions.post.placeholder).
    placeholder: deleted ? (p.moderationReason ? 'removed' : 'deleted') : hidden ? 'hidden' : undefined,
    ...moderation,
    mine: mine && !deleted,
    canKudos,
    menu,
    actions: canKudos || menu,
    cohortId: r.cohortId,
    /** The post's own address, which its actions extend (`/edit`, `/kudos`…). */
    path: `/cohorts/${r.cohortId}/posts/${p.id}`,
    kudos: p.kudos.map((k) => ({ from: k.fromName, reason: k.reason })),
    // A post's files show with its text, to those who read it; one a facilitator hid, only to its
    // uploader and the facilitators (the same rules as the file's own address).
    attachments: html === undefined ? [] : (p.attachments ?? []).filter((a) => !a.hiddenAt || facilitator || r.ownHiddenFiles.includes(a.id)).map((a) => attachmentView(r, a)),
    revisions: facilitator ? Number(p.revisionCount ?? 0) : 0,
    quoteHref: `/cohorts/${r.cohortId}/threads/${threadId}?quote=${p.id}#reply`,
  };
}

function moderationView(r: PostReader, p: PostRow, mine: boolean) {
  const facilitator = r.role === 'facilitator';
  const byFacilitator = p.status === 'hidden' || (p.status === 'deleted' && p.moderationReason !== null);
  return {
    endorsed: p.status === 'visible' && p.endorsedAt !== null,
    editedByFacilitator: p.status !== 'deleted' && p.facilitatorEditedAt !== null,
    moderationNotice: byFacilitator && (mine || facilitator) && p.moderationReason ? { status: p.status, reason: p.moderationReason } : undefined,
    canFlag: !mine && p.status === 'visible',
    moderate: facilitator
      ? { visible: p.status === 'visible', restorable: byFacilitator, notDeleted: p.status !== 'deleted', endorsed: p.endorsedAt !== null, base: `/cohorts/${r.cohortId}/console/moderation/posts/${p.id}` }
      : undefined,
  };
}

export function threadView(
  i18n: I18n,
  who: LaunchContext,
  space: Space,
  thread: Thread,
  page: { posts: ReadonlyArray<PostRow & { inPage: boolean }>; hasOlder: boolean; hasNewer: boolean },
  renderPost: (row: PostRow, key: string, view: () => PostView) => string,
  draft?: { error: MessageRef | string; body: string; parentPostId?: string | undefined },
) {
  const posts = page.posts;
  // Grouped once, so a post's replies are not looked for through the whole thread again for each post.
  const repliesTo = Map.groupBy(posts, (p) => p.parentPostId ?? '');
  // Each post arrives rendered (server/discussions/post-html.ts): the page only places them.
  const now = new Date();
  const view = (p: PostRow) => {
    const reader = postReader(who, p);
    return { html: renderPost(p, postReaderKey(i18n, reader, p, now), () => postViewFor(i18n, reader, thread.id, p, now)) };
  };
  const top = (repliesTo.get('') ?? []).filter((p) => p.inPage);
  // The thread's first post heads every page, as context, when the page itself starts later.
  const opening = (repliesTo.get('') ?? []).find((p) => !p.inPage);
  const href = `/cohorts/${who.cohortId}/threads/${thread.id}`;
  const first = top[0];
  const last = top.at(-1);
  return {
    cohort: { id: who.cohortId },
    person: { name: who.displayName },
    space: { href: `/cohorts/${who.cohortId}/spaces/${space.id}`, events: `/cohorts/${who.cohortId}/spaces/${space.id}/events` },
    thread: { id: thread.id, href, title: thread.title, pinned: thread.pinnedAt !== null, locked: thread.lockedAt !== null, moderate: who.role === 'facilitator' ? `/cohorts/${who.cohortId}/console/moderation/threads/${thread.id}` : undefined },
    opening: opening ? view(opening) : undefined,
    posts: top.map((p) => ({ ...view(p), replies: (repliesTo.get(p.id) ?? []).map(view) })),
    pages: page.hasOlder || page.hasNewer
      ? {
          first: page.hasOlder ? href : undefined,
          older: page.hasOlder && first ? `${href}?before=${first.id}` : undefined,
          newer: page.hasNewer && last ? `${href}?after=${last.id}` : undefined,
          latest: page.hasNewer ? `${href}?page=latest` : undefined,
        }
      : undefined,
    // New replies are appended live only on the latest page; elsewhere a notice links to it.
    isLatestPage: !page.hasNewer,
    latestHref: `${href}?page=latest`,
    canPost: who.role !== 'observer',
    canReply: who.role !== 'observer' && thread.lockedAt === null,
    draft: draft ?? { error: '', body: '' },
  };
}

import type { Space, Thread, Post } from '../../models/schema.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { RenderPost } from './post-html.ts';

function when(d: Date): string {
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

function spaceTitle(space: Space, moduleTitle: (id: number) => string | undefined): string {
  return space.groupId ? `Your group — module ${space.moduleId}: ${moduleTitle(space.moduleId!) ?? ''}` : 'Cohort commons';
}

export function spaceView(
  who: LaunchContext,
  space: Space,
  threads: Array<{ id: string; title: string; lastPostAt: Date; authorName: string | null; postCount: string | number | null; pinnedAt?: Date | null; lockedAt?: Date | null }>,
  moduleTitle: (id: number) => string | undefined,
  flash?: { error: string; form: { title: string; body: string } },
  norms: string[] = [],
) {
  return {
    cohort: { id: who.cohortId },
    person: { name: who.displayName },
    space: { id: space.id, title: spaceTitle(space, moduleTitle), isCommons: !space.groupId, events: `/cohorts/${who.cohortId}/spaces/${space.id}/events` },
    // A group's norms head each of its spaces (none in the commons).
    norms: space.groupId ? { list: norms, href: `/cohorts/${who.cohortId}/groups/${space.groupId}/norms` } : undefined,
    threads: threads.map((t) => ({ href: `/cohorts/${who.cohortId}/threads/${t.id}`, title: t.title, author: t.authorName ?? 'Someone', posts: Number(t.postCount ?? 0), last: when(t.lastPostAt), pinned: Boolean(t.pinnedAt), locked: Boolean(t.lockedAt) })),
    canPost: who.role !== 'observer',
    error: flash?.error,
    form: flash?.form ?? { title: '', body: '' },
  };
}

export type PostRow = Pick<Post, 'id' | 'parentPostId' | 'authorMembershipId' | 'bodyHtml' | 'status' | 'createdAt' | 'editedAt' | 'moderationReason' | 'facilitatorEditedAt' | 'endorsedAt'> & {
  /** Only for the post being quoted (see listThreadPosts). */
  bodySource: string | null;
  authorName: string | null;
  authorRole: string;
  revisionCount: string | number | null;
  kudos: Array<{ reason: string; fromMembershipId: string; fromName: string | null }>;
};

/** One post as the page shows it (also sent alone to live-update a thread). */
export function postView(who: LaunchContext, threadId: string, p: PostRow) {
  const mine = p.authorMembershipId === who.membershipId;
  const deleted = p.status === 'deleted';
  const hidden = p.status === 'hidden';
  const facilitator = who.role === 'facilitator';
  // A hidden post stays readable to its author and the facilitators, with the reason; removed by a
  // facilitator, its author still learns why.
  const moderation = moderationView(who, p, mine);
  const html = deleted || (hidden && !mine && !facilitator) ? undefined : p.bodyHtml;
  const canKudos = !mine && !deleted && !hidden && who.role !== 'observer' && !p.kudos.some((k) => k.fromMembershipId === who.membershipId);
  // The "…" menu: quote, flag, edit and delete, moderation; shown only when it holds something.
  const menu = Boolean(html) || moderation.canFlag || (mine && !deleted) || moderation.moderate !== undefined;
  return {
    id: p.id,
    author: p.authorName ?? 'Someone',
    isFacilitator: p.authorRole === 'facilitator',
    when: when(p.createdAt),
    edited: p.editedAt !== null,
    // Only the sanitised HTML is output unescaped; deleted and hidden posts show a placeholder.
    html,
    placeholder: deleted ? (p.moderationReason ? 'This post was removed by a facilitator.' : 'This post was deleted by its author.') : hidden ? 'This post was hidden by a facilitator.' : undefined,
    ...moderation,
    mine: mine && !deleted,
    canKudos,
    menu,
    actions: canKudos || menu,
    cohortId: who.cohortId,
    /** The post's own address, which its actions extend (`/edit`, `/kudos`…). */
    path: `/cohorts/${who.cohortId}/posts/${p.id}`,
    kudos: p.kudos.map((k) => ({ from: k.fromName ?? 'Someone', reason: k.reason })),
    revisions: who.role === 'facilitator' ? Number(p.revisionCount ?? 0) : 0,
    quoteHref: `/cohorts/${who.cohortId}/threads/${threadId}?quote=${p.id}#reply`,
  };
}

function moderationView(who: LaunchContext, p: PostRow, mine: boolean) {
  const facilitator = who.role === 'facilitator';
  const byFacilitator = p.status === 'hidden' || (p.status === 'deleted' && p.moderationReason !== null);
  return {
    endorsed: p.status === 'visible' && p.endorsedAt !== null,
    editedByFacilitator: p.status !== 'deleted' && p.facilitatorEditedAt !== null,
    moderationNotice: byFacilitator && (mine || facilitator) && p.moderationReason ? `${p.status === 'hidden' ? 'Hidden' : 'Removed'} by a facilitator: ${p.moderationReason}` : undefined,
    canFlag: !mine && p.status === 'visible',
    moderate: facilitator
      ? { visible: p.status === 'visible', restorable: byFacilitator, notDeleted: p.status !== 'deleted', endorsed: p.endorsedAt !== null, base: `/cohorts/${who.cohortId}/console/moderation/posts/${p.id}` }
      : undefined,
  };
}

export function threadView(
  who: LaunchContext,
  space: Space,
  thread: Thread,
  posts: PostRow[],
  renderPost: RenderPost,
  draft?: { error: string; body: string; parentPostId?: string | undefined },
) {
  // Grouped once, so a post's replies are not looked for through the whole thread again for each post.
  const repliesTo = Map.groupBy(posts, (p) => p.parentPostId ?? '');
  // Each post arrives rendered (server/discussions/post-html.ts): the page only places them.
  const view = (p: PostRow) => ({ html: renderPost(postView(who, thread.id, p)) });
  const top = repliesTo.get('') ?? [];
  return {
    cohort: { id: who.cohortId },
    person: { name: who.displayName },
    space: { href: `/cohorts/${who.cohortId}/spaces/${space.id}`, events: `/cohorts/${who.cohortId}/spaces/${space.id}/events` },
    thread: { id: thread.id, href: `/cohorts/${who.cohortId}/threads/${thread.id}`, title: thread.title, pinned: thread.pinnedAt !== null, locked: thread.lockedAt !== null, moderate: who.role === 'facilitator' ? `/cohorts/${who.cohortId}/console/moderation/threads/${thread.id}` : undefined },
    posts: top.map((p) => ({ ...view(p), replies: (repliesTo.get(p.id) ?? []).map(view) })),
    canPost: who.role !== 'observer',
    canReply: who.role !== 'observer' && thread.lockedAt === null,
    draft: draft ?? { error: '', body: '' },
  };
}

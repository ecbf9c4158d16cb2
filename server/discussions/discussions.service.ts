// Discussion spaces: who may see which space, threads, posts and replies (one level), edits with
// history, soft deletes by the author, kudos. Posts are rendered and sanitised at write time.
import { withTransaction, type Db, type Tx } from '../../models/db.ts';
import * as discussions from '../../models/discussions.queries.ts';
import * as groups from '../../models/groups.queries.ts';
import * as notifications from '../../models/notifications.queries.ts';
import * as drafts from '../../models/post-drafts.queries.ts';
import * as spacePage from '../../models/space-page.queries.ts';
import * as threadPage from '../../models/thread-page.queries.ts';
import { notifyPostEvent } from '../../models/post-events.ts';
import { claimAttachments } from '../../models/media.queries.ts';
import type { Space } from '../../models/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import type { LaunchContext } from '../launch-context.ts';
import { renderPost, type Mentionable } from './post-rendering.ts';
import { assertNotMuted } from '../moderation/mute-check.ts';

export interface DiscussionsDeps {
  db: Db;
  /** Runs in the transaction of a post or reply in a module's group space (module completion). */
  onGroupSpacePost?: (tx: Tx, who: LaunchContext, moduleId: number) => Promise<void>;
  /**
   * A page of a thread's posts kept across requests under `window` (server/cache/app-caches.ts),
   * `load`ed when none is; without it every page is read.
   */
  keptThreadPage?: (tenantId: string, threadId: string, window: string, load: () => Promise<threadPage.ThreadPage | undefined>) => Promise<threadPage.ThreadPage | undefined>;
}

/**
 * The space, if this person may see it: the commons of their cohort, or (learners) their own group's
 * spaces; facilitators see every space of their cohort. Anything else is "not found", so nothing
 * about another group's space leaks, not even that it exists.
 */
export async function findVisibleSpace(deps: DiscussionsDeps, who: LaunchContext, spaceId: string): Promise<Space> {
  const found = await discussions.findSpaceFor(deps.db, who.tenantId, spaceId, who.membershipId);
  if (!found) throw new NotFoundError('discussion space');
  const { inGroup, ...space } = found;
  return visibleSpace(who, space, inGroup);
}

/** The space if this person may see it (`inGroup`: their membership is in the space's group, or it has none). */
function visibleSpace(who: LaunchContext, space: Space, inGroup: boolean): Space {
  if (space.cohortId !== who.cohortId) throw new NotFoundError('discussion space');
  if (space.groupId && who.role !== 'facilitator' && !inGroup) throw new NotFoundError('discussion space');
  return space;
}

/**
 * Whether this person of the space's cohort sees it now: a group's space only while a learner is in
 * that group. For a live-update stream, which checks before every event: a space never changes
 * cohort or group, so only the person's group is read again (nothing for the commons).
 */
export async function stillSeesSpace(deps: DiscussionsDeps, who: LaunchContext, space: Space): Promise<boolean> {
  if (!space.groupId || who.role === 'facilitator') return true;
  const group = await groups.findGroupOfMember(deps.db, who.tenantId, who.membershipId);
  return group?.id === space.groupId;
}

export function commons(deps: DiscussionsDeps, who: LaunchContext): Promise<Space> {
  return discussions.upsertCommons(deps.db, who.tenantId, who.cohortId);
}

/** A learner's group space for a module (created on first visit); none before groups exist. */
export async function groupSpaceFor(deps: DiscussionsDeps, who: LaunchContext, moduleId: number): Promise<Space | undefined> {
  const group = await groups.findGroupOfMember(deps.db, who.tenantId, who.membershipId);
  if (!group) return undefined;
  return discussions.upsertGroupSpace(deps.db, { tenantId: who.tenantId, cohortId: who.cohortId, groupId: group.id, moduleId });
}

/** Every group's space for a module, for a facilitator. */
export async function groupSpacesOfModule(deps: DiscussionsDeps, who: LaunchContext, moduleId: number) {
  if (who.role !== 'facilitator') throw new ForbiddenError('list-spaces');
  const all = await groups.listGroups(deps.db, who.tenantId, who.cohortId);
  let byGroup = await discussions.listGroupSpaces(deps.db, who.tenantId, who.cohortId, moduleId);
  // Spaces are made on the first visit (of the module, or of a group formed since): later visits write nothing.
  const missing = all.filter((g) => !byGroup.has(g.id)).map((g) => g.id);
  if (missing.length > 0) {
    await discussions.insertGroupSpaces(deps.db, { tenantId: who.tenantId, cohortId: who.cohortId, groupIds: missing, moduleId });
    byGroup = await discussions.listGroupSpaces(deps.db, who.tenantId, who.cohortId, moduleId);
  }
  const spaces = all.map((g) => ({ group: g, space: byGroup.get(g.id)! }));
  const summaries = new Map((await discussions.listSpaceSummaries(deps.db, who.tenantId, spaces.map((s) => s.space.id))).map((r) => [r.spaceId, r]));
  return spaces.map((s) => ({ ...s, summary: summaries.get(s.space.id) ?? { threads: 0, lastPostAt: null, members: [] } }));
}

function requireCanPost(who: LaunchContext): void {
  if (who.role === 'observer') throw new ForbiddenError('post', msg('discussions.errors.observer'));
}

function cleanTitle(title: string): string {
  const t = title.trim();
  if (t.length < 1 || t.length > 200) throw new ValidationError(msg('discussions.errors.title', { max: 200 }), { title: msg('discussions.errors.titleField', { max: 200 }) });
  return t;
}

function cleanBody(body: string): string {
  if (body.trim().length === 0) throw new ValidationError(msg('discussions.errors.empty'), { body: msg('discussions.errors.emptyField') });
  if (body.length > 20_000) throw new ValidationError(msg('discussions.errors.tooLong', { max: 20_000 }), { body: msg('discussions.errors.tooLongField', { max: 20_000 }) });
  return body;
}

interface Audience {
  mentionable: Mentionable[];
  /** Mentioned person ids → the memberships to notify (never the author). */
  toNotify(personIds: string[]): string[];
  /** Of these memberships, those who can see the space, never the author: who hears of a reply or kudos. */
  whoCanSee(membershipIds: Array<string | null>): string[];
}

/** Who can see the space, and so can be mentioned in it as @handle (their name without spaces). */
async function audienceOf(deps: DiscussionsDeps, who: LaunchContext, space: Space): Promise<Audience> {
  const everyone = await discussions.listSpaceAudience(deps.db, who.tenantId, space);
  const audience = everyone.filter((a) => a.name);
  return {
    whoCanSee: (membershipIds) => everyone.filter((a) => membershipIds.includes(a.membershipId) && a.membershipId !== who.membershipId).map((a) => a.membershipId),
    mentionable: audience.map((a) => ({ personId: a.personId, name: a.name!, handle: a.name!.replace(/\s+/g, '').toLowerCase() })),
    toNotify: (personIds) => audience.filter((a) => personIds.includes(a.personId) && a.membershipId !== who.membershipId).map((a) => a.membershipId),
  };
}

export async function startThread(deps: DiscussionsDeps, who: LaunchContext, spaceId: string, input: { title: string; body: string; attachmentIds?: string[] | undefined }) {
  requireCanPost(who);
  const space = await findVisibleSpace(deps, who, spaceId);
  await assertNotMuted(deps, who);
  const title = cleanTitle(input.title);
  const audience = await audienceOf(deps, who, space);
  const rendered = renderPost(cleanBody(input.body), { mentionable: audience.mentionable });
  return withTransaction(deps.db, async (tx) => {
    const thread = await discussions.insertThread(tx, { tenantId: who.tenantId, spaceId: space.id, authorMembershipId: who.membershipId, title });
    const post = await discussions.insertPost(tx, { tenantId: who.tenantId, threadId: thread.id, spaceId: space.id, parentPostId: null, authorMembershipId: who.membershipId, bodySource: input.body, bodyHtml: rendered.html });
    await notifications.insertPostNotifications(tx, { tenantId: who.tenantId, kind: 'mention', actorMembershipId: who.membershipId, threadId: thread.id, postId: post.id, membershipIds: audience.toNotify(rendered.mentions) });
    await notifyPostEvent(tx, { tenantId: who.tenantId, spaceId: space.id, threadId: thread.id, postId: post.id });
    await drafts.deletePostDraft(tx, who.tenantId, who.membershipId, `space:${space.id}`);
    await claimAttachments(tx, post.id, { tenantId: who.tenantId, membershipId: who.membershipId, draftTarget: `space:${space.id}`, keep: input.attachmentIds ?? [] });
    if (space.groupId && space.moduleId !== null) await deps.onGroupSpacePost?.(tx, who, space.moduleId);
    return { thread, post };
  });
}

export async function findVisibleThread(deps: DiscussionsDeps, who: LaunchContext, threadId: string) {
  // The thread, its space and the group check in one round trip (the thread page's first read).
  const found = await discussions.findThreadFor(deps.db, who.tenantId, threadId, who.membershipId);
  if (!found) throw new NotFoundError('thread');
  return { thread: found.thread, space: visibleSpace(who, found.space, found.inGroup) };
}

/**
 * One page of a thread as this person sees it, with the thread, its space and what they kept on the
 * reply form. Nothing of the page leaves here before visibleSpace has passed the thread's space: a
 * thread of another cohort or another group's is a 404, as from findVisibleThread.
 *
 * A page is the same for every reader (what each sees of it is decided in the view), so it is kept
 * across requests (keptThreadPage) until its thread's posts, kudos or files, or a name, role or photo
 * in the tenant change. A kept page costs one small statement: the thread with this person's group
 * check and their kept form. Otherwise the page's own statement brings those on its first row (one
 * round trip too). A quote-reply's page is never kept: it carries the quoted post's source.
 */
export async function threadPageFor(deps: DiscussionsDeps, who: LaunchContext, threadId: string, window: threadPage.ThreadWindow, size: number, opts: { quoteId?: string | undefined } = {}) {
  const keptFor = { membershipId: who.membershipId, target: `thread:${threadId}` as const };
  if (!deps.keptThreadPage || opts.quoteId) return readThreadPage(deps, who, threadId, window, size, keptFor, opts.quoteId);
  let read: Awaited<ReturnType<typeof readThreadPage>> | undefined;
  const windowKey = `${size}:${window.from}:${'postId' in window ? window.postId : ''}`;
  const kept = await deps.keptThreadPage(who.tenantId, threadId, windowKey, async () => {
    read = await readThreadPage(deps, who, threadId, window, size, keptFor);
    // Only a page found as asked: one that fell back to the first page (its anchor gone) is not kept under the anchor.
    return read.asked && !read.page.empty ? threadPage.sharedThreadPage(read.page) : undefined;
  });
  if (read) return read;
  const head = await threadPage.findThreadHead(deps.db, who.tenantId, threadId, keptFor);
  if (!head) throw new NotFoundError('thread');
  return { thread: head.thread.thread, space: visibleSpace(who, head.thread.space, head.thread.inGroup), page: kept!, keptForm: head.keptForm };
}

/** The page read from the database, with the thread (checked as threadPageFor says) and the kept form; `asked`: the window asked for had posts. */
async function readThreadPage(deps: DiscussionsDeps, who: LaunchContext, threadId: string, window: threadPage.ThreadWindow, size: number, keptFor: { membershipId: string; target: `thread:${string}` }, quoteId?: string) {
  const found = await threadPage.listThreadPage(deps.db, who.tenantId, threadId, window, size, { sourceOf: quoteId, keptFor, threadFor: who.membershipId });
  // The page's statement brings the thread; a thread with no row to bring it (another tenant's, or
  // every post erased) is read on its own.
  const { thread, space } = found.thread
    ? { thread: found.thread.thread, space: visibleSpace(who, found.thread.space, found.thread.inGroup) }
    : await findVisibleThread(deps, who, threadId);
  // A post that is not in this thread (or no longer exists) anchors nothing: the first page opens.
  const asked = !found.empty || window.from === 'first';
  const page = asked ? found : await threadPage.listThreadPage(deps.db, who.tenantId, threadId, { from: 'first' }, size, { keptFor });
  const keptForm = page.keptForm ?? found.keptForm ?? (await keptFormFor(deps, who, keptFor.target));
  return { thread, space, page, keptForm, asked };
}

/** A reply to the thread, or to one post of it (a reply to a reply answers that reply's parent). */
export async function replyInThread(deps: DiscussionsDeps, who: LaunchContext, threadId: string, input: { body: string; parentPostId?: string | undefined; attachmentIds?: string[] | undefined }) {
  requireCanPost(who);
  const { thread, space } = await findVisibleThread(deps, who, threadId);
  await assertNotMuted(deps, who);
  if (thread.lockedAt) throw new ConflictError('A facilitator has locked this thread: it takes no new replies.');
  let parentPostId: string | null = null;
  let parentAuthor: string | null = null;
  if (input.parentPostId) {
    const parent = await discussions.findPost(deps.db, who.tenantId, input.parentPostId);
    if (!parent || parent.threadId !== thread.id) throw new NotFoundError('post');
    parentPostId = parent.parentPostId ?? parent.id;
    // The author of a hidden or deleted post is not told of replies to it.
    if (parent.status === 'visible') parentAuthor = parent.authorMembershipId;
  }
  const audience = await audienceOf(deps, who, space);
  const rendered = renderPost(cleanBody(input.body), { mentionable: audience.mentionable });
  const mentioned = audience.toNotify(rendered.mentions);
  // The replied-to post's author and the thread's starter, if they still see the space; a mention already told them.
  const repliedTo = audience.whoCanSee([parentAuthor, thread.authorMembershipId]).filter((m, i, all) => all.indexOf(m) === i && !mentioned.includes(m));
  const reply = { tenantId: who.tenantId, threadId: thread.id, spaceId: space.id, parentPostId, authorMembershipId: who.membershipId, bodySource: input.body, bodyHtml: rendered.html, mentioned, repliedTo, draftTarget: `thread:${thread.id}`, attachmentIds: input.attachmentIds ?? [] };
  const onGroupSpacePost = space.groupId && space.moduleId !== null ? deps.onGroupSpacePost : undefined;
  // Most replies are one statement (atomic on its own); one in a module's group space may complete
  // the module in the same transaction.
  if (!onGroupSpacePost) return { post: await discussions.insertReply(deps.db, reply) };
  return withTransaction(deps.db, async (tx) => {
    const post = await discussions.insertReply(tx, reply);
    await onGroupSpacePost(tx, who, space.moduleId!);
    return { post };
  });
}

async function findOwnPost(deps: DiscussionsDeps, who: LaunchContext, postId: string, action: string) {
  const post = await discussions.findPost(deps.db, who.tenantId, postId);
  if (!post) throw new NotFoundError('post');
  const space = await findVisibleSpace(deps, who, post.spaceId);
  if (post.authorMembershipId !== who.membershipId) throw new ForbiddenError(action, msg('discussions.errors.notAuthor'));
  if (post.status === 'deleted') throw new ConflictError(msg('discussions.errors.deleted'));
  return { post, space };
}

/** The author's edit: the earlier version is kept (facilitators can read the history). */
export async function editPost(deps: DiscussionsDeps, who: LaunchContext, postId: string, body: string) {
  const { post, space } = await findOwnPost(deps, who, postId, 'edit-post');
  await assertNotMuted(deps, who);
  const rendered = renderPost(cleanBody(body), { mentionable: (await audienceOf(deps, who, space)).mentionable });
  await withTransaction(deps.db, async (tx) => {
    const current = await discussions.findPostForUpdate(tx, who.tenantId, post.id);
    if (!current) throw new NotFoundError('post');
    await discussions.insertPostRevision(tx, { tenantId: who.tenantId, postId: post.id, bodySource: current.bodySource, bodyHtml: current.bodyHtml, replacedByMembershipId: who.membershipId });
    await discussions.updatePostBody(tx, who.tenantId, post.id, { bodySource: body, bodyHtml: rendered.html });
  });
  return post;
}

/** The author's delete: soft, so replies keep their place; the text stays for facilitators' history. */
/** The post its author is about to delete (for the confirmation page): the same checks as the deletion. */
/** The author's own post, for the page that edits it (the same check as editing). */
export async function findOwnPostToEdit(deps: DiscussionsDeps, who: LaunchContext, postId: string) {
  return (await findOwnPost(deps, who, postId, 'edit-post')).post;
}

export async function findOwnPostToDelete(deps: DiscussionsDeps, who: LaunchContext, postId: string) {
  return (await findOwnPost(deps, who, postId, 'delete-post')).post;
}

export async function deleteOwnPost(deps: DiscussionsDeps, who: LaunchContext, postId: string) {
  const { post } = await findOwnPost(deps, who, postId, 'delete-post');
  await discussions.updatePostStatus(deps.db, who.tenantId, post.id, 'deleted');
  return post;
}

export async function giveKudos(deps: DiscussionsDeps, who: LaunchContext, postId: string, reason: string) {
  requireCanPost(who);
  const post = await discussions.findPost(deps.db, who.tenantId, postId);
  if (!post || post.status !== 'visible') throw new NotFoundError('post');
  const space = await findVisibleSpace(deps, who, post.spaceId);
  await assertNotMuted(deps, who);
  if (post.authorMembershipId === who.membershipId) throw new ValidationError(msg('discussions.errors.ownKudos'));
  const clean = reason.trim();
  if (clean.length < 1 || clean.length > 280) throw new ValidationError(msg('discussions.errors.kudosReason', { max: 280 }), { reason: msg('discussions.errors.kudosReasonField', { max: 280 }) });
  const audience = await audienceOf(deps, who, space);
  await withTransaction(deps.db, async (tx) => {
    const given = await discussions.insertKudos(tx, { tenantId: who.tenantId, postId: post.id, fromMembershipId: who.membershipId, toMembershipId: post.authorMembershipId, reason: clean });
    if (!given) throw new ConflictError(msg('discussions.errors.kudosAgain'));
    await notifications.insertPostNotifications(tx, { tenantId: who.tenantId, kind: 'kudos', actorMembershipId: who.membershipId, threadId: post.threadId, postId: post.id, membershipIds: audience.whoCanSee([post.authorMembershipId]) });
  });
  return post;
}

/**
 * Keeps what a person was posting when the form was refused before reaching the discussion (a
 * failed CSRF check), if they may post there: it comes back into the same form when they next open
 * it, after a relaunch too. A draft already kept is replaced only by a form that was showing it
 * (`keptDraftAt`). False when there was nothing to keep, no right to post there, or a newer draft.
 */
export async function keepRefusedPost(
  deps: DiscussionsDeps,
  who: LaunchContext,
  target: drafts.DraftTarget,
  form: { title: string; body: string; keptDraftAt?: Date | undefined },
): Promise<boolean> {
  if (who.role === 'observer' || (form.title.trim() === '' && form.body.trim() === '')) return false;
  if (form.title.length > 1000 || form.body.length > 40_000) return false;
  const [kind, id] = target.split(':') as ['space' | 'thread', string];
  try {
    if (kind === 'space') await findVisibleSpace(deps, who, id);
    else await findVisibleThread(deps, who, id);
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
  return drafts.upsertPostDraft(deps.db, { tenantId: who.tenantId, membershipId: who.membershipId, target, title: form.title, body: form.body }, form.keptDraftAt);
}

/**
 * Throws unless this person may post in the form's space or thread now (what a file uploaded for
 * that form needs, before any byte of it is stored).
 */
export async function assertCanPostTo(deps: DiscussionsDeps, who: LaunchContext, target: drafts.DraftTarget): Promise<void> {
  requireCanPost(who);
  const [kind, id] = target.split(':') as ['space' | 'thread', string];
  if (kind === 'space') await findVisibleSpace(deps, who, id);
  else if ((await findVisibleThread(deps, who, id)).thread.lockedAt) throw new ConflictError('A facilitator has locked this thread: it takes no new replies.');
  await assertNotMuted(deps, who);
}

/** A post's text as it will show (rendered and sanitised like a post; mentions are resolved when it is posted). */
export function previewPost(body: string): string {
  if (body.length > 20_000) return '<p>A post is at most 20,000 characters.</p>';
  return renderPost(body).html;
}

/**
 * A space's page as this person sees it, with what they kept on its new-thread form. The page's
 * statement brings the space and the group check too (one round trip), and nothing of the page
 * leaves here before visibleSpace has passed them: another cohort's space or another group's is a
 * 404, as from findVisibleSpace.
 */
export async function spacePageFor(deps: DiscussionsDeps, who: LaunchContext, spaceId: string) {
  const { space: found, ...page } = await spacePage.listSpacePage(deps.db, { tenantId: who.tenantId, spaceId, membershipId: who.membershipId, target: `space:${spaceId}` });
  if (!found) throw new NotFoundError('discussion space');
  return { ...page, space: visibleSpace(who, found.space, found.inGroup) };
}

/** What this person kept on this form: the draft's text, if any, and the files waiting on it. */
export function keptFormFor(deps: DiscussionsDeps, who: LaunchContext, target: drafts.DraftTarget) {
  return drafts.findKeptForm(deps.db, who.tenantId, who.membershipId, target);
}

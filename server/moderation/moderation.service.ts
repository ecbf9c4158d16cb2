// Moderation of a cohort's discussions: members flag posts; the cohort's facilitators hide,
// restore, delete, edit and endorse posts, pin and lock threads, and dismiss flags. Each
// facilitator action writes exactly one audit log row in the transaction of its change, so there
// is never a change without its row, nor a row without its change.
import { withTransaction, type Db, type Tx } from '../../models/db.ts';
import * as discussions from '../../models/discussions.queries.ts';
import * as moderation from '../../models/moderation.queries.ts';
import * as notifications from '../../models/notifications.queries.ts';
import type { ModerationActionKind, Post, Thread } from '../../models/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import type { LaunchContext } from '../launch-context.ts';
import { findVisibleSpace } from '../discussions/discussions.service.ts';
import { renderPost } from '../discussions/post-rendering.ts';

export interface ModerationDeps {
  db: Db;
}

export function requireFacilitator(who: LaunchContext, action: string): void {
  if (who.role !== 'facilitator') throw new ForbiddenError(action, msg('moderation.error.facilitatorsOnly'));
}

/** What a reason is for, which its error message names. */
export type ReasonFor = 'flag' | 'author' | 'edit' | 'mute';

/** A reason for a destructive action or a flag: 1 to 500 characters. */
export function cleanReason(reason: string, what: ReasonFor): string {
  const r = reason.trim();
  if (r.length < 1 || r.length > 500) throw new ValidationError(msg('moderation.error.reason', { what }), { reason: msg('moderation.error.reasonField') });
  return r;
}

/** The audit log row of one action; called last inside the action's transaction. */
function logAction(tx: Tx, who: LaunchContext, a: { action: ModerationActionKind; targetKind: moderation.ActionRow['targetKind']; targetId: string; subjectMembershipId?: string | null; reason?: string | null }) {
  return moderation.insertModerationAction(tx, {
    tenantId: who.tenantId,
    cohortId: who.cohortId,
    actorMembershipId: who.membershipId,
    action: a.action,
    targetKind: a.targetKind,
    targetId: a.targetId,
    subjectMembershipId: a.subjectMembershipId ?? null,
    reason: a.reason ?? null,
  });
}

/** The post, locked for the change, when it belongs to the facilitator's cohort (else 404). */
async function postOfCohort(tx: Tx, who: LaunchContext, postId: string, action: string): Promise<Post> {
  requireFacilitator(who, action);
  const post = await discussions.findPostForUpdate(tx, who.tenantId, postId);
  if (!post) throw new NotFoundError('post');
  const space = await discussions.findSpace(tx, who.tenantId, post.spaceId);
  if (!space || space.cohortId !== who.cohortId) throw new NotFoundError('post');
  return post;
}

async function threadOfCohort(tx: Tx, who: LaunchContext, threadId: string, action: string): Promise<Thread> {
  requireFacilitator(who, action);
  const thread = await moderation.findThreadForUpdate(tx, who.tenantId, threadId);
  if (!thread) throw new NotFoundError('thread');
  const space = await discussions.findSpace(tx, who.tenantId, thread.spaceId);
  if (!space || space.cohortId !== who.cohortId) throw new NotFoundError('thread');
  return thread;
}

/** A member flags a post they can see, with a reason; the cohort's facilitators are notified. */
export async function flagPost(deps: ModerationDeps, who: LaunchContext, postId: string, reason: string): Promise<Post> {
  const post = await discussions.findPost(deps.db, who.tenantId, postId);
  if (!post || post.status !== 'visible') throw new NotFoundError('post');
  await findVisibleSpace(deps, who, post.spaceId);
  const clean = cleanReason(reason, 'flag');
  return withTransaction(deps.db, async (tx) => {
    const flag = await moderation.insertFlag(tx, { tenantId: who.tenantId, cohortId: who.cohortId, postId: post.id, membershipId: who.membershipId, reason: clean });
    if (!flag) throw new ConflictError(msg('moderation.error.alreadyFlagged'));
    await notifications.insertFlagNotifications(tx, { tenantId: who.tenantId, cohortId: who.cohortId, actorMembershipId: who.membershipId, threadId: post.threadId, postId: post.id });
    return post;
  });
}

export function hidePost(deps: ModerationDeps, who: LaunchContext, postId: string, reason: string): Promise<Post> {
  const clean = cleanReason(reason, 'author');
  return withTransaction(deps.db, async (tx) => {
    const post = await postOfCohort(tx, who, postId, 'hide-post');
    if (post.status !== 'visible') throw new ConflictError(msg('moderation.error.hideNotVisible'));
    await moderation.updatePostModeration(tx, who.tenantId, post.id, { status: 'hidden', moderationReason: clean });
    await moderation.resolveOpenFlagsOfPost(tx, who.tenantId, post.id);
    await logAction(tx, who, { action: 'hide', targetKind: 'post', targetId: post.id, subjectMembershipId: post.authorMembershipId, reason: clean });
    return post;
  });
}

/** Back to visible: a hidden post, or one a facilitator deleted (never one its author deleted). */
export function restorePost(deps: ModerationDeps, who: LaunchContext, postId: string): Promise<Post> {
  return withTransaction(deps.db, async (tx) => {
    const post = await postOfCohort(tx, who, postId, 'restore-post');
    const byFacilitator = post.status === 'hidden' || (post.status === 'deleted' && post.moderationReason !== null);
    if (!byFacilitator) throw new ConflictError(msg('moderation.error.restoreNotModerated'));
    await moderation.updatePostModeration(tx, who.tenantId, post.id, { status: 'visible', moderationReason: null });
    await logAction(tx, who, { action: 'restore', targetKind: 'post', targetId: post.id, subjectMembershipId: post.authorMembershipId });
    return post;
  });
}

export function deletePost(deps: ModerationDeps, who: LaunchContext, postId: string, reason: string): Promise<Post> {
  const clean = cleanReason(reason, 'author');
  return withTransaction(deps.db, async (tx) => {
    const post = await postOfCohort(tx, who, postId, 'delete-post');
    if (post.status === 'deleted') throw new ConflictError(msg('moderation.error.alreadyDeleted'));
    await moderation.updatePostModeration(tx, who.tenantId, post.id, { status: 'deleted', moderationReason: clean });
    await moderation.resolveOpenFlagsOfPost(tx, who.tenantId, post.id);
    await logAction(tx, who, { action: 'delete', targetKind: 'post', targetId: post.id, subjectMembershipId: post.authorMembershipId, reason: clean });
    return post;
  });
}

/** A facilitator's edit: the earlier version is kept in the history and the post is marked. */
export async function editPostAsFacilitator(deps: ModerationDeps, who: LaunchContext, postId: string, input: { body: string; reason: string }): Promise<Post> {
  requireFacilitator(who, 'edit-post');
  if (input.body.trim().length === 0) throw new ValidationError(msg('moderation.error.editEmpty'), { body: msg('moderation.error.editEmptyField') });
  if (input.body.length > 20_000) throw new ValidationError(msg('moderation.error.editTooLong', { maximum: 20_000 }), { body: msg('moderation.error.editTooLongField') });
  const reason = cleanReason(input.reason, 'edit');
  const html = renderPost(input.body, { mentionable: [] }).html;
  return withTransaction(deps.db, async (tx) => {
    const post = await postOfCohort(tx, who, postId, 'edit-post');
    if (post.status === 'deleted') throw new ConflictError(msg('moderation.error.editDeleted'));
    await discussions.insertPostRevision(tx, { tenantId: who.tenantId, postId: post.id, bodySource: post.bodySource, bodyHtml: post.bodyHtml, replacedByMembershipId: who.membershipId });
    await moderation.updatePostBodyByFacilitator(tx, who.tenantId, post.id, { bodySource: input.body, bodyHtml: html });
    await logAction(tx, who, { action: 'edit', targetKind: 'post', targetId: post.id, subjectMembershipId: post.authorMembershipId, reason });
    return post;
  });
}

export function setEndorsed(deps: ModerationDeps, who: LaunchContext, postId: string, endorsed: boolean): Promise<Post> {
  return withTransaction(deps.db, async (tx) => {
    const post = await postOfCohort(tx, who, postId, 'endorse-post');
    if (post.status !== 'visible') throw new ConflictError(msg('moderation.error.endorseNotVisible'));
    if ((post.endorsedAt !== null) === endorsed) throw new ConflictError(msg(endorsed ? 'moderation.error.alreadyEndorsed' : 'moderation.error.notEndorsed'));
    await moderation.updatePostEndorsed(tx, who.tenantId, post.id, endorsed);
    await logAction(tx, who, { action: endorsed ? 'endorse' : 'unendorse', targetKind: 'post', targetId: post.id, subjectMembershipId: post.authorMembershipId });
    return post;
  });
}

const ALREADY = { pin: 'moderation.error.alreadyPinned', unpin: 'moderation.error.notPinned', lock: 'moderation.error.alreadyLocked', unlock: 'moderation.error.notLocked' } as const;

export function setThreadState(deps: ModerationDeps, who: LaunchContext, threadId: string, change: 'pin' | 'unpin' | 'lock' | 'unlock'): Promise<Thread> {
  return withTransaction(deps.db, async (tx) => {
    const thread = await threadOfCohort(tx, who, threadId, `${change}-thread`);
    const isOn = change === 'pin' || change === 'unpin' ? thread.pinnedAt !== null : thread.lockedAt !== null;
    const turnOn = change === 'pin' || change === 'lock';
    if (isOn === turnOn) throw new ConflictError(msg(ALREADY[change]));
    await moderation.updateThreadFlags(tx, who.tenantId, thread.id, change === 'pin' || change === 'unpin' ? { pinned: turnOn } : { locked: turnOn });
    await logAction(tx, who, { action: change, targetKind: 'thread', targetId: thread.id, subjectMembershipId: thread.authorMembershipId });
    return thread;
  });
}

export function dismissFlag(deps: ModerationDeps, who: LaunchContext, flagId: string): Promise<void> {
  return withTransaction(deps.db, async (tx) => {
    requireFacilitator(who, 'dismiss-flag');
    const flag = await moderation.findFlag(tx, who.tenantId, flagId);
    if (!flag || flag.cohortId !== who.cohortId) throw new NotFoundError('flag');
    if (flag.status !== 'open') throw new ConflictError(msg('moderation.error.flagSettled'));
    await moderation.updateFlagStatus(tx, who.tenantId, flag.id, 'dismissed');
    await logAction(tx, who, { action: 'dismiss-flag', targetKind: 'flag', targetId: flag.id, subjectMembershipId: flag.membershipId });
  });
}

/** Where a post of the cohort is (for links back), for a facilitator. */
export async function findPostOfCohort(deps: ModerationDeps, who: LaunchContext, postId: string) {
  requireFacilitator(who, 'moderate');
  const post = await discussions.findPost(deps.db, who.tenantId, postId);
  if (!post) throw new NotFoundError('post');
  const space = await discussions.findSpace(deps.db, who.tenantId, post.spaceId);
  if (!space || space.cohortId !== who.cohortId) throw new NotFoundError('post');
  return post;
}

/** The moderation queue: open flags grouped by post, the post with the newest flag first. */
export async function moderationQueue(deps: ModerationDeps, who: LaunchContext) {
  requireFacilitator(who, 'moderation-queue');
  const flags = await moderation.listOpenFlags(deps.db, who.tenantId, who.cohortId);
  const byPost = new Map<string, { first: (typeof flags)[number]; flags: typeof flags }>();
  for (const f of flags) {
    const entry = byPost.get(f.postId) ?? { first: f, flags: [] };
    entry.flags.push(f);
    byPost.set(f.postId, entry);
  }
  return [...byPost.values()];
}

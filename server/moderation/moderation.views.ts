// View models of the moderation pages.
import type { LaunchContext } from '../launch-context.ts';
import type { Post } from '../../models/schema.ts';
import type { moderationQueue } from './moderation.service.ts';
import { ACTIONS } from './moderation.schemas.ts';
import { MUTE_PERIODS } from './mutes.service.ts';
import { untilText } from './mute-check.ts';
import { errorSummary } from '../http/error-summary.ts';
import { postHref } from '../discussions/post-links.ts';

const when = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
const excerpt = (s: string, n = 280) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function pageBase(who: LaunchContext, title: string) {
  return { title, cohort: { id: who.cohortId }, person: { name: who.displayName }, consoleHref: `/cohorts/${who.cohortId}/console` };
}

import { attachmentView } from '../media/attachment-view.ts';

/** A post's own moderation page: what can be done to it now. */
export function moderatePostView(who: LaunchContext, post: Pick<Post, 'id' | 'threadId' | 'status' | 'bodySource'>) {
  return {
    base: `/cohorts/${who.cohortId}/console/moderation/posts/${post.id}`,
    excerpt: excerpt(post.bodySource, 500),
    visible: post.status === 'visible',
    hidden: post.status === 'hidden',
    notDeleted: post.status !== 'deleted',
    backHref: postHref(who.cohortId, post.threadId, post.id),
  };
}

export function queueView(who: LaunchContext, entries: Awaited<ReturnType<typeof moderationQueue>>, done?: string) {
  return {
    ...pageBase(who, 'Moderation queue'),
    done: done === 'hide' ? 'The post is hidden; the author sees your reason.' : done === 'dismiss' ? 'Flag dismissed.' : done === 'delete' ? 'The post is deleted; the author sees your reason.' : undefined,
    items: entries.map(({ first, flags }) => ({
      postId: first.postId,
      thread: first.threadTitle,
      threadHref: postHref(who.cohortId, first.threadId, first.postId),
      space: first.groupName ? `${first.groupName} · module ${first.moduleId}` : 'Cohort commons',
      author: first.authorName ?? 'Someone',
      excerpt: excerpt(first.bodySource),
      count: flags.length,
      newest: when(first.createdAt),
      visible: first.postStatus === 'visible',
      base: `/cohorts/${who.cohortId}/console/moderation`,
      flags: flags.map((f) => ({ id: f.flagId, reason: f.reason, by: f.flaggerName ?? 'Someone', when: when(f.createdAt) })),
      attachments: first.attachments.map((a) => attachmentView(who, a)),
    })),
  };
}

const ACTION_LABELS: Record<(typeof ACTIONS)[number], string> = {
  hide: 'Hid a post', restore: 'Restored a post', delete: 'Deleted a post', edit: 'Edited a post', pin: 'Pinned a thread', unpin: 'Unpinned a thread',
  lock: 'Locked a thread', unlock: 'Unlocked a thread', endorse: 'Endorsed a post', unendorse: 'Withdrew an endorsement', 'dismiss-flag': 'Dismissed a flag',
  mute: 'Muted a member', unmute: 'Unmuted a member', announce: 'Made an announcement',
};

export function logView(
  who: LaunchContext,
  rows: Array<{ id: string; action: (typeof ACTIONS)[number]; targetKind: string; targetId: string; reason: string | null; createdAt: Date; actorName: string | null; subjectName: string | null }>,
  members: Array<{ membershipId: string; name: string | null }>,
  filter: { action: string; person: string; from: string; to: string },
  error?: { message: string; fields: Record<string, string> },
) {
  return {
    ...pageBase(who, 'Audit log'),
    error: error?.message,
    fieldErrors: error?.fields ?? {},
    errorSummary: error ? errorSummary({ userMessage: error.message, fieldErrors: error.fields }, (k) => k.split('.')[0], 'log-filter') : [],
    filter,
    actions: ACTIONS.map((a) => ({ value: a, label: ACTION_LABELS[a], selected: a === filter.action })),
    people: members.map((m) => ({ value: m.membershipId, label: m.name ?? 'Unnamed member', selected: m.membershipId === filter.person })),
    filtered: Object.values(filter).some((v) => v !== ''),
    rows: rows.map((r) => ({
      action: r.action,
      label: ACTION_LABELS[r.action],
      actor: r.actorName ?? 'Someone',
      subject: r.subjectName ?? undefined,
      target: `${r.targetKind} ${r.targetId.slice(0, 8)}`,
      reason: r.reason ?? '',
      when: when(r.createdAt),
    })),
  };
}

export function membersView(who: LaunchContext, rows: Array<{ membershipId: string; name: string | null; role: string; muteId: string | null; mutedUntil: Date | null; muteReason: string | null }>, flash?: { membershipId: string; error: string; period: string; reason: string }, done?: string) {
  return {
    ...pageBase(who, 'Mute members'),
    done: done === 'mute' ? 'Member muted.' : done === 'unmute' ? 'Member unmuted.' : undefined,
    members: rows.map((m) => {
      const mine = flash?.membershipId === m.membershipId ? flash : undefined;
      return {
        id: m.membershipId,
        name: m.name ?? 'Unnamed member',
        role: m.role,
        canMute: m.role !== 'facilitator',
        muted: m.muteId !== null,
        until: m.muteId ? untilText(m.mutedUntil).replace('you', 'them') : undefined,
        muteReason: m.muteReason ?? undefined,
        error: mine?.error,
        reason: mine?.reason ?? '',
        periods: Object.entries(MUTE_PERIODS).map(([value, p]) => ({ value, label: p.label, selected: (mine?.period ?? '1d') === value })),
      };
    }),
  };
}

export function announcementsView(
  who: LaunchContext,
  groups: Array<{ id: string; name: string }>,
  list: Array<{ id: string; title: string; body: string; createdAt: Date; groupName: string | null }>,
  flash?: { error: string; fields: Record<string, string>; form: { audience: string; title: string; body: string } },
  done?: boolean,
) {
  const form = flash?.form ?? { audience: 'cohort', title: '', body: '' };
  return {
    ...pageBase(who, 'Announcements'),
    done,
    error: flash?.error,
    fieldErrors: flash?.fields ?? {},
    errorSummary: flash ? errorSummary({ userMessage: flash.error, fieldErrors: flash.fields }, (k) => k.split('.')[0], 'announcement-form') : [],
    form,
    audiences: [{ value: 'cohort', label: 'The whole cohort', selected: form.audience === 'cohort' }, ...groups.map((g) => ({ value: g.id, label: `Group: ${g.name}`, selected: form.audience === g.id }))],
    announcements: list.map((a) => ({ title: a.title, body: a.body, to: a.groupName ? `Group ${a.groupName}` : 'Whole cohort', when: when(a.createdAt) })),
  };
}

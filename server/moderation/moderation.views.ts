// View models of the moderation pages.
import type { LaunchContext } from '../launch-context.ts';
import type { I18n } from '../i18n/i18n.ts';
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

const DONE_IN_QUEUE: Record<string, string> = { hide: 'moderation.queue.done.hide', dismiss: 'moderation.queue.done.dismiss', delete: 'moderation.queue.done.delete' };

export function queueView(i18n: I18n, who: LaunchContext, entries: Awaited<ReturnType<typeof moderationQueue>>, done?: string) {
  return {
    ...pageBase(who, i18n.t('moderation.nav.queue')),
    done: done && Object.hasOwn(DONE_IN_QUEUE, done) ? i18n.t(DONE_IN_QUEUE[done]!) : undefined,
    items: entries.map(({ first, flags }) => ({
      postId: first.postId,
      thread: first.threadTitle,
      threadHref: postHref(who.cohortId, first.threadId, first.postId),
      groupName: first.groupName,
      moduleId: first.moduleId,
      author: first.authorName ?? i18n.t('moderation.someone'),
      excerpt: excerpt(first.bodySource),
      count: flags.length,
      newest: when(first.createdAt),
      visible: first.postStatus === 'visible',
      base: `/cohorts/${who.cohortId}/console/moderation`,
      flags: flags.map((f) => ({ id: f.flagId, reason: f.reason, by: f.flaggerName ?? i18n.t('moderation.someone'), when: when(f.createdAt) })),
      attachments: first.attachments.map((a) => attachmentView(who, a)),
    })),
  };
}

/** An action's words in the audit log: `moderation.log.action.dismissFlag` for 'dismiss-flag'. */
const actionLabel = (i18n: I18n, a: (typeof ACTIONS)[number]) => i18n.t(`moderation.log.action.${a.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}`);

export function logView(
  i18n: I18n,
  who: LaunchContext,
  rows: Array<{ id: string; action: (typeof ACTIONS)[number]; targetKind: string; targetId: string; reason: string | null; createdAt: Date; actorName: string | null; subjectName: string | null }>,
  members: Array<{ membershipId: string; name: string | null }>,
  filter: { action: string; person: string; from: string; to: string },
  error?: { message: string; fields: Record<string, string> },
) {
  return {
    ...pageBase(who, i18n.t('moderation.nav.log')),
    error: error?.message,
    fieldErrors: error?.fields ?? {},
    errorSummary: error ? errorSummary({ userMessage: error.message, fieldErrors: error.fields }, (k) => k.split('.')[0], 'log-filter') : [],
    filter,
    actions: ACTIONS.map((a) => ({ value: a, label: actionLabel(i18n, a), selected: a === filter.action })),
    people: members.map((m) => ({ value: m.membershipId, label: m.name ?? i18n.t('moderation.unnamedMember'), selected: m.membershipId === filter.person })),
    filtered: Object.values(filter).some((v) => v !== ''),
    rows: rows.map((r) => ({
      action: r.action,
      label: actionLabel(i18n, r.action),
      actor: r.actorName ?? i18n.t('moderation.someone'),
      subject: r.subjectName ?? undefined,
      target: `${r.targetKind} ${r.targetId.slice(0, 8)}`,
      reason: r.reason ?? '',
      when: when(r.createdAt),
    })),
  };
}

export function membersView(i18n: I18n, who: LaunchContext, rows: Array<{ membershipId: string; name: string | null; role: string; muteId: string | null; mutedUntil: Date | null; muteReason: string | null }>, flash?: { membershipId: string; error: string; period: string; reason: string }, done?: string) {
  return {
    ...pageBase(who, i18n.t('moderation.nav.members')),
    done: done === 'mute' ? i18n.t('moderation.members.done.mute') : done === 'unmute' ? i18n.t('moderation.members.done.unmute') : undefined,
    members: rows.map((m) => {
      const mine = flash?.membershipId === m.membershipId ? flash : undefined;
      return {
        id: m.membershipId,
        name: m.name ?? i18n.t('moderation.unnamedMember'),
        role: i18n.t('moderation.members.role', { role: m.role }),
        canMute: m.role !== 'facilitator',
        muted: m.muteId !== null,
        until: m.muteId ? untilText(m.mutedUntil) : undefined,
        muteReason: m.muteReason ?? undefined,
        error: mine?.error,
        reason: mine?.reason ?? '',
        periods: Object.keys(MUTE_PERIODS).map((value) => ({ value, label: i18n.t('moderation.members.period', { period: value }), selected: (mine?.period ?? '1d') === value })),
      };
    }),
  };
}

export function announcementsView(
  i18n: I18n,
  who: LaunchContext,
  groups: Array<{ id: string; name: string }>,
  list: Array<{ id: string; title: string; body: string; createdAt: Date; groupName: string | null }>,
  flash?: { error: string; fields: Record<string, string>; form: { audience: string; title: string; body: string } },
  done?: boolean,
) {
  const form = flash?.form ?? { audience: 'cohort', title: '', body: '' };
  return {
    ...pageBase(who, i18n.t('moderation.nav.announcements')),
    done,
    error: flash?.error,
    fieldErrors: flash?.fields ?? {},
    errorSummary: flash ? errorSummary({ userMessage: flash.error, fieldErrors: flash.fields }, (k) => k.split('.')[0], 'announcement-form') : [],
    form,
    audiences: [{ value: 'cohort', label: i18n.t('moderation.announcements.wholeCohort'), selected: form.audience === 'cohort' }, ...groups.map((g) => ({ value: g.id, label: i18n.t('moderation.announcements.toGroup', { group: g.name }), selected: form.audience === g.id }))],
    announcements: list.map((a) => ({ title: a.title, body: a.body, to: a.groupName ? i18n.t('moderation.announcements.toGroup', { group: a.groupName }) : i18n.t('moderation.announcements.wholeCohort'), when: when(a.createdAt) })),
  };
}

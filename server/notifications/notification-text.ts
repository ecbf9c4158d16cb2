// What each kind of notification says and where it leads: the one wording and grouping shared by
// the in-app list and the email digest.
import type { NotificationsTable } from '../../models/schema.ts';
import { postHref } from '../discussions/post-links.ts';
import { msg, type MessageRef } from '../i18n/i18n.ts';

export interface NotificationFacts {
  kind: NotificationsTable['kind'];
  actorName: string | null;
  threadTitle: string | null;
  threadId: string | null;
  postId: string | null;
  planId: string | null;
}

/** Notifications of one kind about one thread, told as one line ("3 replies in …"). */
export interface NotificationGroup<T extends NotificationFacts> {
  /** The first of them in time: the link leads to its post, where reading starts. */
  first: T;
  /** The newest, in the order given. */
  latest: T;
  count: number;
}

/**
 * Groups notifications of the same kind in the same thread (and the same `extraKey`, e.g. read or
 * not, or cohort), keeping the order of each group's first appearance in `rows`. `rows` are newest
 * first or oldest first: `newestFirst` says which, so the link goes to the earliest post.
 */
export function groupNotifications<T extends NotificationFacts>(rows: T[], newestFirst: boolean, extraKey: (n: T) => string = () => ''): Array<NotificationGroup<T>> {
  const groups = new Map<string, NotificationGroup<T>>();
  for (const n of rows) {
    const key = `${n.kind}|${n.threadId ?? n.planId}|${extraKey(n)}`;
    const g = groups.get(key);
    if (!g) groups.set(key, { first: n, latest: n, count: 1 });
    else {
      g.count += 1;
      if (newestFirst) g.first = n;
      else g.latest = n;
    }
  }
  return [...groups.values()];
}

/** The value a message's `select` reads as "no name shared" (it then says "someone" in its language). */
export const NO_NAME = '__none';

/**
 * The sentence (a catalog message: the page and the digest email word it in their reader's
 * language) and the in-cohort path (no origin) of one notification, or of a group of them.
 */
export function describeNotification(n: NotificationFacts, cohortId: string, count = 1): { message: MessageRef; path: string } {
  // One message per kind, its plural (a group) and its actor ("someone" when the name is not shared).
  const values = { count, actor: n.actorName ?? NO_NAME, thread: n.threadTitle ?? '' };
  const planPath = `/cohorts/${cohortId}/action-plans/${n.planId}`;
  const message = msg(`notifications.kind.${n.kind}`, values);
  if (n.kind === 'partner-request' || n.kind === 'plan-comment') return { message, path: planPath };
  if (n.kind === 'flag') return { message, path: `/cohorts/${cohortId}/console/moderation#post-${n.postId}` };
  return { message, path: postHref(cohortId, n.threadId ?? '', n.postId ?? '') };
}

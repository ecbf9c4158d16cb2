// What each kind of notification says and where it leads: the one wording and grouping shared by
// the in-app list and the email digest.
import type { NotificationsTable } from '../../models/schema.ts';
import { postHref } from '../discussions/post-links.ts';

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

/** The sentence and the in-cohort path (no origin) of one notification, or of a group of them. */
export function describeNotification(n: NotificationFacts, cohortId: string, count = 1): { text: string; path: string } {
  const actor = n.actorName ?? 'Someone';
  const planPath = `/cohorts/${cohortId}/action-plans/${n.planId}`;
  if (n.kind === 'partner-request') return { text: count > 1 ? `${count} requests to be an accountability partner` : `${actor} asked you to be their accountability partner`, path: planPath };
  if (n.kind === 'plan-comment') return { text: count > 1 ? `${count} comments on your action plan` : `${actor} commented on your action plan`, path: planPath };
  const postPath = postHref(cohortId, n.threadId ?? '', n.postId ?? '');
  switch (n.kind) {
    case 'flag':
      return { text: count > 1 ? `${count} flags on posts in “${n.threadTitle}”` : `${actor} flagged a post in “${n.threadTitle}” for moderation`, path: `/cohorts/${cohortId}/console/moderation#post-${n.postId}` };
    case 'mention':
      return { text: count > 1 ? `${count} mentions of you in “${n.threadTitle}”` : `${actor} mentioned you in “${n.threadTitle}”`, path: postPath };
    case 'reply':
      return { text: count > 1 ? `${count} replies in “${n.threadTitle}”` : `${actor} replied in “${n.threadTitle}”`, path: postPath };
    case 'kudos':
      return { text: count > 1 ? `${count} kudos for your posts in “${n.threadTitle}”` : `${actor} gave kudos for your post in “${n.threadTitle}”`, path: postPath };
  }
}

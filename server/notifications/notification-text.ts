// What each kind of notification says and where it leads: the one wording shared by the in-app
// list and the email digest.
import type { NotificationsTable } from '../../models/schema.ts';

export interface NotificationFacts {
  kind: NotificationsTable['kind'];
  actorName: string | null;
  threadTitle: string;
  threadId: string;
  postId: string;
}

/** The sentence and the in-cohort path (no origin) of one notification. */
export function describeNotification(n: NotificationFacts, cohortId: string): { text: string; path: string } {
  const actor = n.actorName ?? 'Someone';
  switch (n.kind) {
    case 'flag':
      return { text: `${actor} flagged a post in “${n.threadTitle}” for moderation`, path: `/cohorts/${cohortId}/console/moderation#post-${n.postId}` };
    case 'mention':
      return { text: `${actor} mentioned you in “${n.threadTitle}”`, path: `/cohorts/${cohortId}/threads/${n.threadId}#post-${n.postId}` };
  }
}

// The address of a post: its thread, opened at the page that holds it (threads are paged).
export function postHref(cohortId: string, threadId: string, postId: string): string {
  return `/cohorts/${cohortId}/threads/${threadId}?post=${postId}#post-${postId}`;
}

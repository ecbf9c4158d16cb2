import type { Cohort, ResourceLink } from '../../models/schema.ts';
import { AGS_SCORE_SCOPE } from '../../models/resource-links.queries.ts';
import type { CohortGradeRow } from '../../models/grade-outbox.queries.ts';
import type { LaunchContext } from '../launch-context.ts';
import { completionView, type CompletionState } from '../modules/schedule.ts';

const STATUS_LABEL = { pending: 'Waiting to send', delivered: 'Sent', failed: 'Failed' } as const;
const STATUS_BADGE = { pending: 'pending', delivered: 'done', failed: 'locked' } as const;
// The score's AGS activityProgress, in the words (and mark) of the module's completion state.
const PROGRESS_STATE: Record<string, CompletionState> = { InProgress: 'in-progress', Completed: 'complete' };

const minute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

/** Why a link takes no scores, said where the facilitator looks (never silent). */
export const NO_SCORE_SCOPE_REASON =
  'The LMS has not allowed Circlework to send scores for this link, so completions are not sent to its gradebook. In Moodle, set the tool’s “Accept grades from the tool”; in Canvas, give the developer key the score scope. Then open the link once.';

export function gradesView(cohort: Cohort, launch: LaunchContext, grades: CohortGradeRow[], links: ResourceLink[], retriedId: string | undefined) {
  const rows = grades
    .map((g) => ({
      id: g.id,
      learner: g.personName ?? `LMS user ${g.sub}`,
      link: g.linkTitle ?? (g.moduleId ? `Module ${g.moduleId}` : 'Workshop'),
      linkKind: g.moduleId ? `Module ${g.moduleId}` : 'Whole workshop',
      score: `${String(g.payload.scoreGiven ?? '–')} / ${String(g.payload.scoreMaximum ?? 100)}`,
      progress: PROGRESS_STATE[String(g.payload.activityProgress)] ? completionView(PROGRESS_STATE[String(g.payload.activityProgress)]!) : undefined,
      status: g.status,
      statusLabel: STATUS_LABEL[g.status],
      badge: STATUS_BADGE[g.status],
      attempts: g.attempts,
      lastError: g.status === 'delivered' ? null : g.lastError,
      note: g.status === 'delivered' ? g.lastError : null,
      when: minute(g.deliveredAt ?? g.scoreTimestamp),
      canRetry: g.status === 'failed',
    }))
    .sort((a, b) => a.learner.localeCompare(b.learner) || a.linkKind.localeCompare(b.linkKind, undefined, { numeric: true }));
  return {
    cohort: { id: cohort.id, title: cohort.title, label: cohort.label },
    person: { name: launch.displayName },
    rows,
    counts: {
      delivered: rows.filter((r) => r.status === 'delivered').length,
      pending: rows.filter((r) => r.status === 'pending').length,
      failed: rows.filter((r) => r.status === 'failed').length,
    },
    retried: rows.some((r) => r.id === retriedId),
    links: links.map((l) => {
      const scorable = l.agsScopes.includes(AGS_SCORE_SCOPE);
      return {
        id: l.resourceLinkId,
        title: l.title ?? (l.moduleId ? `Module ${l.moduleId}` : 'Workshop'),
        kind: l.moduleId ? `Module ${l.moduleId}` : 'Whole workshop',
        scorable,
        state: !scorable ? NO_SCORE_SCOPE_REASON : l.lineitemUrl ? 'Scores go to its grade item.' : 'Circlework finds or creates its grade item with the first score.',
      };
    }),
  };
}

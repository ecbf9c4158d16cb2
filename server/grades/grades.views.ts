import type { Cohort, ResourceLink } from '../../models/schema.ts';
import { AGS_SCORE_SCOPE } from '../../models/resource-links.queries.ts';
import type { CohortGradeRow } from '../../models/grade-outbox.queries.ts';
import type { LaunchContext } from '../launch-context.ts';
import { completionView, type CompletionState } from '../modules/schedule.ts';
import type { I18n } from '../i18n/i18n.ts';

const STATUS_LABEL = { pending: 'cohorts.grades.status.pending', delivered: 'cohorts.grades.status.delivered', failed: 'cohorts.grades.status.failed' } as const;
const STATUS_BADGE = { pending: 'pending', delivered: 'done', failed: 'locked' } as const;
// The score's AGS activityProgress, in the words (and mark) of the module's completion state.
const PROGRESS_STATE: Record<string, CompletionState> = { InProgress: 'in-progress', Completed: 'complete' };

/** Why a link takes no scores, said where the facilitator looks (never silent). */
export const NO_SCORE_SCOPE_REASON = 'cohorts.grades.links.noScoreScope';

export function gradesView(i18n: I18n, cohort: Cohort, launch: LaunchContext, grades: CohortGradeRow[], links: ResourceLink[], retriedId: string | undefined) {
  const rows = grades
    .map((g) => ({
      id: g.id,
      learner: g.personName ?? i18n.t('cohorts.grades.lmsUser', { sub: g.sub }),
      link: g.linkTitle ?? linkFallback(i18n, g.moduleId),
      linkKind: linkKind(i18n, g.moduleId),
      // Whole-workshop links after the modules', as before.
      moduleId: g.moduleId ?? Number.MAX_SAFE_INTEGER,
      score: i18n.t('cohorts.grades.score', { given: g.payload.scoreGiven === undefined ? '–' : i18n.number(Number(g.payload.scoreGiven)), maximum: i18n.number(Number(g.payload.scoreMaximum ?? 100)) }),
      progress: PROGRESS_STATE[String(g.payload.activityProgress)] ? completionView(i18n, PROGRESS_STATE[String(g.payload.activityProgress)]!) : undefined,
      status: g.status,
      statusLabel: i18n.t(STATUS_LABEL[g.status]),
      badge: STATUS_BADGE[g.status],
      attempts: g.attempts,
      lastError: g.status === 'delivered' ? null : g.lastError,
      note: g.status === 'delivered' ? g.lastError : null,
      when: i18n.dateTime(g.deliveredAt ?? g.scoreTimestamp),
      whenIso: (g.deliveredAt ?? g.scoreTimestamp).toISOString(),
      canRetry: g.status === 'failed',
    }))
    .sort((a, b) => a.learner.localeCompare(b.learner, i18n.locale) || a.moduleId - b.moduleId);
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
        title: l.title ?? linkFallback(i18n, l.moduleId),
        // The LMS's own title: in its language, not the reader's.
        ownTitle: l.title !== null,
        kind: linkKind(i18n, l.moduleId),
        scorable,
        state: i18n.t(!scorable ? NO_SCORE_SCOPE_REASON : l.lineitemUrl ? 'cohorts.grades.links.hasGradeItem' : 'cohorts.grades.links.gradeItemLater'),
      };
    }),
  };
}

/** A link's name when the LMS gave it none. */
function linkFallback(i18n: I18n, moduleId: number | null): string {
  return moduleId ? i18n.t('cohorts.grades.moduleLink', { number: moduleId }) : i18n.t('cohorts.grades.workshopLink');
}

function linkKind(i18n: I18n, moduleId: number | null): string {
  return moduleId ? i18n.t('cohorts.grades.moduleLink', { number: moduleId }) : i18n.t('cohorts.grades.wholeWorkshop');
}

// View models for the module page, the hub's module list and the console's progress: ready values only.
import { attachmentView, sizeLabel, typeLabel } from '../media/attachment-view.ts';
import type { ActivityResponse } from '../../models/schema.ts';
import type { LaunchContext } from '../launch-context.ts';
import { ValidationError } from '../errors.ts';
import { errorSummary } from '../http/error-summary.ts';
import { FIVE_FACTORS, type Workshop } from './workshop-content.ts';
import type { ModuleForLearner } from './modules.service.ts';
import { activityDone, countsForCompletion } from './modules.service.ts';
import { completionState, completionView } from './schedule.ts';
import type { ActivityForm } from './modules.schemas.ts';
import { isMessageRef, msg, type I18n } from '../i18n/i18n.ts';

/** The five-factor scale's ends, as the modules' prompts word them. */
const SCALE_ENDS: Record<number, string> = { 1: 'modules.activity.scaleLow', 5: 'modules.activity.scaleHigh' };

export function modulePageView(
  i18n: I18n,
  who: LaunchContext,
  cohort: { id: string; title: string; language: string },
  m: ModuleForLearner,
  flash: { saved?: string; submitted?: string; completed?: boolean; invalid?: { activityId: string; error: ValidationError; form: ActivityForm } },
) {
  const isLearner = who.role === 'learner';
  const locked = m.state === 'locked';
  const invalidForm = flash.invalid && { ...flash.invalid, error: withFactorNames(flash.invalid.error, m.fiveFactors) };
  return {
    cohort: { id: cohort.id, title: cohort.title },
    person: { name: who.displayName },
    // The workshop's text is in the cohort's language, whatever the reader's interface language.
    contentLanguage: cohort.language,
    module: { number: m.module.id, title: m.module.title, summary: m.module.summary, minutes: m.module.estimatedMinutes, framingHtml: m.module.framingHtml, readings: m.module.readings, doToday: m.module.doToday },
    completion: completionView(i18n, m.state),
    opensOn: i18n.date(m.opensAt),
    showContent: !locked || !isLearner,
    isLearner,
    completed: flash.completed === true,
    activities: m.module.activities.map((a) => {
      const response = m.responses.get(a.id);
      const invalid = invalidForm?.activityId === a.id ? invalidForm : undefined;
      const values = invalid ? formValues(invalid.form) : responseValues(response);
      const status = a.kind === 'discussion' ? discussionStatus(i18n, m) : { status: response?.status ?? 'empty', statusLabel: i18n.t(response?.status === 'submitted' ? 'modules.activity.status.submitted' : response?.status === 'draft' ? 'modules.activity.status.draft' : 'modules.activity.status.notStarted') };
      return {
        id: a.id,
        kind: a.kind,
        title: a.title,
        promptHtml: a.promptHtml,
        required: a.required,
        countsForCompletion: countsForCompletion(a, m.progress.hasGroup),
        isDiscussion: a.kind === 'discussion',
        isReflection: a.kind === 'reflection',
        isPractice: a.kind === 'practice',
        isCuration: a.kind === 'curation',
        isFiveFactor: a.kind === 'five-factor-check',
        action: `/cohorts/${cohort.id}/modules/${m.module.id}/activities/${a.id}`,
        spaceHref: `/cohorts/${cohort.id}/modules/${m.module.id}/space`,
        normsHref: a.groupNorms ? `/cohorts/${cohort.id}/norms` : undefined,
        ...status,
        submitted: activityDone(a, m.progress),
        canEdit: isLearner && !locked,
        values,
        factors: m.fiveFactors.map((f) => ({
          id: f.id,
          error: invalid?.error.fieldErrors[`ratings.${f.id}`],
          label: f.label,
          description: f.description,
          // The scale's ends are named at the buttons, not only in the prompt above the form.
          options: [1, 2, 3, 4, 5].map((n) => ({ n, end: SCALE_ENDS[n] && i18n.t(SCALE_ENDS[n]), checked: String(values[`rating_${f.id}`] ?? '') === String(n) })),
        })),
        // Evidence of practice and curations take files: the response's own (each with a box to remove
        // it) and those uploaded with a form that was not saved yet.
        takesFiles: m.files.has(a.id) && isLearner && !locked,
        files: (m.files.get(a.id)?.attached ?? []).map((f) => attachmentView({ cohortId: cohort.id, role: who.role }, f)),
        pendingFiles: m.files.get(a.id)?.pending ?? [],
        pendingFilesList: i18n.list((m.files.get(a.id)?.pending ?? []).map((f) => i18n.t('modules.activity.pendingFile', { name: f.fileName, size: sizeLabel(Number(f.sizeBytes), i18n), type: typeLabel(f.contentType, i18n) }))),
        justSaved: flash.saved === a.id,
        justSubmitted: flash.submitted === a.id,
        error: invalid?.error.userMessage,
        fieldErrors: invalid?.error.fieldErrors ?? {},
      };
    }),
    // Answers to activities the cohort's edition no longer has (after a move): still the learner's to read.
    earlierAnswers: [...m.responses.values()]
      .filter((r) => !m.module.activities.some((a) => a.id === r.activityId))
      .map((r) => ({ activityId: r.activityId, status: r.status, parts: answerParts(r) })),
    // Fields are named "<activity>-<field>"; a rating's error leads to its factor's fieldset.
    errorSummary: invalidForm ? errorSummary(invalidForm.error, (key) => `${invalidForm.activityId}-${key.replace(/^ratings\./, '')}`, `${invalidForm.activityId}-form`) : [],
  };
}

/** A rating's message names its factor in the workshop's words (the schema knows only the factor's id). */
function withFactorNames(error: ValidationError, factors: ReadonlyArray<{ id: string; label: string }>): ValidationError {
  const fields = Object.entries(error.fieldErrors).map(([key, text]) => {
    const factor = factors.find((f) => key === `ratings.${f.id}`);
    return [key, factor && isMessageRef(text) ? msg(text.key, { ...text.values, factor: factor.label }) : text] as const;
  });
  return new ValidationError(error.userMessage, Object.fromEntries(fields));
}

/** A discussion activity is done by posting in the group's space; before groups it cannot be done yet. */
function discussionStatus(i18n: I18n, m: ModuleForLearner): { status: string; statusLabel: string } {
  if (m.progress.postedInGroupSpace) return { status: 'submitted', statusLabel: i18n.t('modules.activity.status.posted') };
  if (!m.progress.hasGroup) return { status: 'waiting', statusLabel: i18n.t('modules.activity.status.waitingForGroups') };
  return { status: 'empty', statusLabel: i18n.t('modules.activity.status.notStarted') };
}

/** A response's written parts, in reading order, whatever its kind. */
function answerParts(r: ActivityResponse): string[] {
  const c = r.content as Record<string, unknown>;
  return ['text', 'evidence', 'link', 'url', 'why', 'comment'].map((k) => c[k]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
}

function formValues(form: ActivityForm): Record<string, string | boolean> {
  return { ...form, shared: form.shared === 'on' } as Record<string, string | boolean>;
}

function responseValues(r: ActivityResponse | undefined): Record<string, string | boolean> {
  if (!r) return {};
  const c = r.content as Record<string, unknown>;
  const ratings = (c.ratings ?? {}) as Record<string, unknown>;
  return {
    text: String(c.text ?? ''),
    shared: c.shared === true,
    evidence: String(c.evidence ?? ''),
    link: String(c.link ?? ''),
    url: String(c.url ?? ''),
    why: String(c.why ?? ''),
    tags: Array.isArray(c.tags) ? c.tags.join(', ') : '',
    comment: String(c.comment ?? ''),
    ...Object.fromEntries(FIVE_FACTORS.map((f) => [`rating_${f.id}`, String(ratings[f.id] ?? '')])),
  };
}

/** The hub's list: each module's state and open date, the learner's progress, and the cohort's (no names). */
export function moduleListView(
  i18n: I18n,
  cohortId: string,
  workshop: Workshop,
  now: Date,
  dates: readonly Date[],
  completed: ReadonlySet<number>,
  started: ReadonlySet<number>,
  due: ReadonlySet<number>,
  cohortDone: { learners: number; perModule: number[] },
) {
  return {
    modules: workshop.modules.map((m, i) => {
      const opensAt = dates[i]!;
      const state = completionState(now, opensAt, { completed: completed.has(m.id), started: started.has(m.id) });
      const doneShare = cohortDone.learners > 0 ? Math.round((100 * (cohortDone.perModule[i] ?? 0)) / cohortDone.learners) : 0;
      return { number: m.id, title: m.title, summary: m.summary, href: `/cohorts/${cohortId}/modules/${m.id}`, completion: completionView(i18n, state), opensOn: i18n.date(opensAt), due: due.has(m.id), cohortDoneShare: doneShare };
    }),
    progress: { done: completed.size, total: workshop.modules.length, percent: Math.round((100 * completed.size) / workshop.modules.length) },
    cohortLearners: cohortDone.learners,
  };
}

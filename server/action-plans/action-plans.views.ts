// View models for the action plan pages: ready-made values, no rules beyond presentation. The
// words are the templates' (locales/*/action-plans.json): statuses and visibilities go as values,
// a missing name as NO_NAME, dates as dates.
import type { UserText } from '../errors.ts';
import { attachmentView } from '../media/attachment-view.ts';
import type { Cohort } from '../../models/schema.ts';
import type { PlanRow } from '../../models/action-plans.queries.ts';
import type { ValidationError } from '../errors.ts';
import { errorSummary } from '../http/error-summary.ts';
import type { LaunchContext } from '../launch-context.ts';
import { MAX_GOALS, formFromPlan, type PlanForm } from './action-plans.schemas.ts';
import type { ActionPlansDeps, openOwnPlan, openPlan } from './action-plans.service.ts';
import type { cohortPlanFigures, openCheckIn } from './check-ins.service.ts';
import { checkInDates } from './check-ins.service.ts';

import { NO_NAME } from '../notifications/notification-text.ts';

const head = (cohort: Cohort, who: LaunchContext) => ({ cohort: { id: cohort.id, title: cohort.title }, person: { name: who.displayName }, base: `/cohorts/${cohort.id}` });
const day = (d: Date) => d.toISOString().slice(0, 10);
const nameOf = (name: string | null) => name ?? NO_NAME;

function goalsView(goals: PlanRow['goals']) {
  return goals.map((g, i) => ({ number: i + 1, ...g }));
}

const GOAL_FIELD: Record<string, string> = { title: 'title', actions: 'actions', dueOn: 'due', success: 'success', support: 'support' };

/** The plan form's element for an error's key ("goals.0.dueOn" → "g1_due"), as goalFields places errors. */
function planFieldId(key: string): string | undefined {
  if (key === 'goals') return 'g1_title';
  if (key === 'visibility') return 'plan-visibility';
  const m = /^goals\.(\d)\.(\w+)/.exec(key);
  return m && GOAL_FIELD[m[2]!] ? `g${Number(m[1]) + 1}_${GOAL_FIELD[m[2]!]}` : undefined;
}

function goalFields(form: PlanForm, fieldErrors: Record<string, UserText>) {
  return Array.from({ length: MAX_GOALS }, (_, i) => {
    const n = i + 1;
    // Errors name the goal by its position among filled goals ("goals.0.title"): close enough for a form of three.
    const err = (f: string) => fieldErrors[`goals.${i}.${f}`];
    return {
      n,
      required: n === 1,
      title: form[`g${n}_title`] ?? '',
      actions: form[`g${n}_actions`] ?? '',
      due: form[`g${n}_due`] ?? '',
      success: form[`g${n}_success`] ?? '',
      support: form[`g${n}_support`] ?? '',
      errors: { title: err('title'), actions: err('actions'), due: err('dueOn'), success: err('success') },
    };
  });
}

export function ownPlanView(
  cohort: Cohort,
  who: LaunchContext,
  own: Awaited<ReturnType<typeof openOwnPlan>>,
  flash: { error?: ValidationError; form?: PlanForm; partnerError?: UserText; inviteError?: UserText; inviteEmail?: string; saved?: string },
  deps: ActionPlansDeps,
) {
  const form = flash.form ?? own.pendingEdit ?? (own.plan ? formFromPlan(own.plan) : { visibility: 'private', shareCheckIns: 'on' });
  const fieldErrors = flash.error?.fieldErrors ?? {};
  const now = day(deps.now());
  return {
    ...head(cohort, who),
    intention: own.intention,
    plan: own.plan && { id: own.plan.id, submitted: own.plan.status === 'submitted', visibility: own.plan.visibility },
    error: flash.error?.userMessage,
    errorSummary: [
      ...errorSummary(flash.error, planFieldId, 'plan-form'),
      ...(flash.partnerError ? [{ field: 'partners-form', message: flash.partnerError }] : []),
      ...(flash.inviteError ? [{ field: 'email', message: flash.inviteError }] : []),
    ],
    pendingEdit: !flash.form && Boolean(own.pendingEdit),
    saved: flash.saved,
    // The notice's select names it without a hyphen (an ICU selector).
    savedKind: flash.saved === 'check-in' ? 'checkIn' : flash.saved,
    goals: goalFields(form, fieldErrors),
    visibilities: (['private', 'group', 'cohort'] as const).map((v) => ({ value: v, checked: (form.visibility ?? 'private') === v })),
    shareCheckIns: form.shareCheckIns === 'on',
    partners: own.partners.map((p) => ({ name: nameOf(p.name), status: p.status })),
    choosable: own.choosable.map((c) => ({ id: c.membershipId, name: nameOf(c.name) })),
    cohortWide: own.cohortWide,
    openSlots: Math.max(own.openSlots, 0),
    partnerError: flash.partnerError,
    invites: own.invites.map((i) => ({ id: i.id, email: i.email, active: i.status === 'active', acknowledged: Boolean(i.acknowledgedAt), sentOn: i.createdAt })),
    inviteError: flash.inviteError,
    inviteEmail: flash.inviteEmail ?? '',
    requests: own.requests.map((q) => ({ href: `/cohorts/${cohort.id}/action-plans/${q.planId}`, ownerName: nameOf(q.ownerName), status: q.status })),
    checkIns: own.plan?.status === 'submitted' ? checkInsListView(cohort.id, own.schedule, own.checkIns.map((c) => c.seq), deps.now()) : [],
    recordedCheckIns: own.checkIns.map((c) => ({ seq: c.seq, on: c.createdAt })),
    now,
  };
}

export function checkInsListView(cohortId: string, schedule: { endsOn: string; checkInWeeks: number[] } | undefined, recorded: number[], now: Date) {
  return checkInDates(schedule).map((c) => ({ ...c, href: `/cohorts/${cohortId}/action-plan/check-ins/${c.seq}`, open: c.dueOn <= day(now), recorded: recorded.includes(c.seq) }));
}

export function planView(
  cohort: Cohort,
  who: LaunchContext,
  p: Awaited<ReturnType<typeof openPlan>>,
  flash: { commentError?: UserText; comment?: string },
) {
  return {
    ...head(cohort, who),
    plan: { id: p.plan.id, ownerName: nameOf(p.plan.ownerName), goals: goalsView(p.plan.goals), draft: p.plan.status === 'draft', visibility: p.plan.visibility },
    isOwner: p.access === 'owner',
    isPartner: p.access === 'partner',
    asked: p.myPartnership?.status === 'asked',
    canReply: p.access === 'owner' || p.myPartnership?.status === 'accepted',
    partners: p.partners.map((x) => ({ name: nameOf(x.name), status: x.status })),
    checkIns: p.checkIns.map((c) => ({
      id: c.id,
      seq: c.seq,
      on: c.createdAt,
      journal: c.journal,
      journalShared: c.journalShared,
      entries: c.entries,
      files: p.checkInFiles.filter((f) => f.checkInId === c.id).map((f) => attachmentView({ cohortId: cohort.id, role: 'reader' }, f)),
    })),
    comments: p.comments.map((c) => ({ author: nameOf(c.authorName), byManager: c.managerInviteId !== null, kind: c.kind, body: c.body, on: c.createdAt })),
    commentError: flash.commentError,
    errorSummary: flash.commentError ? [{ field: 'body', message: flash.commentError }] : [],
    comment: flash.comment ?? '',
  };
}

export function boardView(cohort: Cohort, who: LaunchContext, plans: Array<PlanRow & { groupId: string | null }>) {
  return {
    ...head(cohort, who),
    plans: plans.map((p) => ({ href: `/cohorts/${cohort.id}/action-plans/${p.id}`, ownerName: nameOf(p.ownerName), goals: p.goals.map((g) => g.title), visibility: p.visibility, mine: p.membershipId === who.membershipId })),
  };
}

export function checkInView(cohort: Cohort, who: LaunchContext, c: Awaited<ReturnType<typeof openCheckIn>>, flash: { error?: ValidationError; form?: Record<string, string> }) {
  const form = flash.form ?? {};
  const fieldErrors = flash.error?.fieldErrors ?? {};
  // The schema's entries run over every goal's actions in order: entry n is the n-th action's key.
  const keys = c.plan.goals.flatMap((g, gi) => g.actions.map((_, ai) => `a_${gi}_${ai}`));
  const entryError = (key: string, field: string) => fieldErrors[`entries.${keys.indexOf(key)}.${field}`];
  return {
    ...head(cohort, who),
    errorSummary: errorSummary(flash.error, (k) => {
      const m = /^entries\.(\d+)\.(status|note)/.exec(k);
      if (m) return m[2] === 'note' ? `${keys[Number(m[1])]}_note` : `${keys[Number(m[1])]}-status`;
      return k === 'journal' ? 'journal' : undefined;
    }, 'check-in-form'),
    journalError: fieldErrors.journal,
    seq: c.due.seq,
    dueOn: c.due.dueOn,
    open: c.open,
    recorded: Boolean(c.recorded),
    error: flash.error?.userMessage,
    goals: c.plan.goals.map((g, gi) => ({
      number: gi + 1,
      title: g.title,
      actions: g.actions.map((text, ai) => {
        const key = `a_${gi}_${ai}`;
        return { key, text, note: form[`${key}_note`] ?? '', statusError: entryError(key, 'status'), noteError: entryError(key, 'note'), statuses: (['done', 'in-progress', 'blocked'] as const).map((s) => ({ value: s, checked: form[`${key}_status`] === s })) };
      }),
    })),
    journal: form.journal ?? '',
    shareJournal: form.shareJournal === 'on',
  };
}

export function consoleView(cohort: Cohort, who: LaunchContext, f: Awaited<ReturnType<typeof cohortPlanFigures>>, q: Record<string, string>, invalid?: { error: ValidationError; form: Record<string, string> }) {
  const pct = (n: number, d: number) => (d === 0 ? 0 : Math.round((100 * n) / d));
  return {
    ...head(cohort, who),
    learners: f.learners,
    submitted: f.submitted,
    drafted: f.drafted,
    completion: pct(f.submitted, f.learners),
    checkIns: f.checkIns.map((c) => ({ ...c, rate: pct(c.recorded, f.submitted) })),
    anyMissed: f.checkIns.some((c) => c.missed > 0),
    shared: f.shared.map((p) => ({ href: `/cohorts/${cohort.id}/action-plans/${p.id}`, ownerName: nameOf(p.ownerName), goals: p.goals.map((g) => g.title) })),
    endsOn: invalid?.form.endsOn ?? f.schedule?.endsOn ?? '',
    weeks: invalid?.form.weeks ?? (f.schedule?.checkInWeeks ?? [2, 4, 8]).join(', '),
    error: invalid?.error.userMessage,
    fieldErrors: invalid?.error.fieldErrors ?? {},
    errorSummary: errorSummary(invalid?.error, (k) => (k === 'endsOn' || k === 'weeks' ? k : undefined), 'schedule-form'),
    scheduled: q.scheduled === '1',
    reminded: q.reminded !== undefined && /^\d+$/.test(q.reminded) ? Number(q.reminded) : undefined,
  };
}

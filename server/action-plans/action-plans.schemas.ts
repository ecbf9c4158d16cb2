// What the action plan, partner, manager invite, check-in and schedule forms accept.
import { z } from 'zod';
import type { CheckInEntry, PlanGoal, PlanVisibility } from '../../models/schema.ts';

export const MAX_GOALS = 3;
export const MAX_ACTIONS = 5;
const TEXT_MAX = 1000;

export const PlanParams = z.object({ cohortId: z.uuid(), planId: z.uuid() });
export const InviteParams = z.object({ cohortId: z.uuid(), inviteId: z.uuid() });
export const SeqParams = z.object({ cohortId: z.uuid(), seq: z.coerce.number().int().min(1).max(6) });

/** The plan form as typed (flat fields g1_title … g3_support), kept whole to show again on a 400. */
export const PlanForm = z.record(z.string(), z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v.join('\n') : v)));
export type PlanForm = Record<string, string>;

const VISIBILITIES = ['cohort', 'group', 'private'] as const;

// Messages are catalog keys (locales/*/action-plans.json): each field's refusal is worded whole.
/** `tooLong` and `missing` (when a submitted plan leaves it empty) are the field's own messages. */
const text = (tooLong: string, required: boolean, missing = '') => {
  const base = z.string().trim().max(TEXT_MAX, tooLong);
  return required ? base.min(1, missing) : base;
};

const goalSchema = (submit: boolean) =>
  z.object({
    title: text('plans.errors.goalTooLong', submit, 'plans.errors.goalMissing'),
    actions: z
      .array(z.string().trim().min(1).max(300, 'plans.errors.actionTooLong'))
      .max(MAX_ACTIONS, 'plans.errors.tooManyActions')
      .refine((a) => !submit || a.length > 0, 'plans.errors.noAction'),
    dueOn: submit
      ? z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'plans.errors.dueMissing').refine((d) => !Number.isNaN(Date.parse(d)), 'plans.errors.realDate')
      : z.string().regex(/^(\d{4}-\d{2}-\d{2})?$/, 'plans.errors.dateFormat').refine((d) => d === '' || !Number.isNaN(Date.parse(d)), 'plans.errors.realDate'),
    success: text('plans.errors.successTooLong', submit, 'plans.errors.successMissing'),
    support: text('plans.errors.supportTooLong', false),
  });

/** Turns the typed form into a plan: blank goal slots are dropped; a submission needs 1–3 complete goals. */
export function planFromForm(form: PlanForm, submit: boolean) {
  const goals: Array<Record<string, unknown>> = [];
  for (let i = 1; i <= MAX_GOALS; i++) {
    const g = {
      title: form[`g${i}_title`] ?? '',
      actions: (form[`g${i}_actions`] ?? '').split(/\r?\n/).map((a) => a.trim()).filter(Boolean),
      dueOn: (form[`g${i}_due`] ?? '').trim(),
      success: form[`g${i}_success`] ?? '',
      support: form[`g${i}_support`] ?? '',
    };
    if (g.title.trim() || g.actions.length || g.dueOn || g.success.trim() || g.support.trim()) goals.push(g);
  }
  const schema = z.object({
    goals: z.array(goalSchema(submit)).max(MAX_GOALS).refine((g) => !submit || g.length > 0, 'plans.errors.noGoal'),
    visibility: z.enum(VISIBILITIES, 'plans.errors.visibility'),
    shareCheckInsWithManager: z.boolean(),
  });
  return schema.safeParse({ goals, visibility: form.visibility ?? 'private', shareCheckInsWithManager: form.shareCheckIns === 'on' });
}
export type ParsedPlan = { goals: PlanGoal[]; visibility: PlanVisibility; shareCheckInsWithManager: boolean };

/** The plan as the form shows it. */
export function formFromPlan(plan: ParsedPlan): PlanForm {
  const form: PlanForm = { visibility: plan.visibility, shareCheckIns: plan.shareCheckInsWithManager ? 'on' : '' };
  plan.goals.forEach((g, i) => {
    form[`g${i + 1}_title`] = g.title;
    form[`g${i + 1}_actions`] = g.actions.join('\n');
    form[`g${i + 1}_due`] = g.dueOn;
    form[`g${i + 1}_success`] = g.success;
    form[`g${i + 1}_support`] = g.support;
  });
  return form;
}

export const PartnersForm = z.object({ partner: z.union([z.uuid(), z.array(z.uuid())]) }).transform((f) => (Array.isArray(f.partner) ? f.partner : [f.partner]));
export const AnswerForm = z.object({ answer: z.enum(['accept', 'decline']) });

export const InviteForm = z.object({ email: z.string().default('') });
export const ManagerEmail = z.email('plans.errors.managerEmail').max(254, 'plans.errors.emailTooLong');
/** Asking for a sign-in link by email address (the address the course knows the person by). */
export const SignInRequestForm = z.object({ email: z.string().default('') });
export const SignInEmail = z.email('plans.errors.ownEmail').max(254, 'plans.errors.emailTooLong');

export const CommentForm = z.object({ body: z.string().default(''), checkInId: z.union([z.uuid(), z.literal('')]).default('') });
export const CommentBody = z.string().trim().min(1, 'plans.errors.commentEmpty').max(2000, 'plans.errors.commentTooLong');
export const ConversationForm = z.object({ body: z.string().default('') });

const STATUSES = ['done', 'in-progress', 'blocked'] as const;
/** Check-in form: a_<goal>_<action>_status / _note per action, and an optional journal entry (shared only when `shareJournal` is ticked). */
export function checkInFromForm(form: Record<string, string>, goals: PlanGoal[]) {
  const entries: Array<Record<string, unknown>> = [];
  goals.forEach((g, gi) =>
    g.actions.forEach((text, ai) => {
      entries.push({ goal: gi, action: ai, text, status: form[`a_${gi}_${ai}_status`] ?? '', note: form[`a_${gi}_${ai}_note`] ?? '' });
    }),
  );
  return z
    .object({
      entries: z.array(z.object({ goal: z.number(), action: z.number(), text: z.string(), status: z.enum(STATUSES, 'plans.errors.status'), note: z.string().trim().max(500, 'plans.errors.noteTooLong') })),
      journal: z.string().trim().max(4000, 'plans.errors.journalTooLong'),
      journalShared: z.boolean(),
    })
    .safeParse({ entries, journal: form.journal ?? '', journalShared: form.shareJournal === 'on' }) as z.ZodSafeParseResult<{ entries: CheckInEntry[]; journal: string; journalShared: boolean }>;
}

export const ScheduleForm = z.object({
  endsOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'plans.errors.endsOn').refine((d) => !Number.isNaN(Date.parse(d)), 'plans.errors.realDate'),
  weeks: z
    .string()
    .default('2, 4, 8')
    .transform((s) => s.split(/[,\s]+/).filter(Boolean).map(Number))
    .pipe(z.array(z.number().int('plans.errors.weeksWhole').min(1, 'plans.errors.weeksRange').max(52, 'plans.errors.weeksRange')).min(1, 'plans.errors.noCheckIn').max(6, 'plans.errors.tooManyCheckIns')),
});

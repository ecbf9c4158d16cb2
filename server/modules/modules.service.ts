// The learner's journey through the nine modules: what is open, saving and submitting activities,
// completing modules; and the facilitator's schedule. Knows nothing of HTTP.
import { withTransaction, type Db, type Tx } from '../../models/db.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import * as modules from '../../models/modules.queries.ts';
import type { ActivityResponse } from '../../models/schema.ts';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import { KeptFor } from '../cache/kept-for.ts';
import type { LaunchContext } from '../launch-context.ts';
import { contentFromForm, isSubmittable, SUBMISSION_SCHEMAS, type ActivityForm, type SubmittableKind } from './modules.schemas.ts';
import { completionState, dueThisWeek, moduleOpenDates, type CompletionState } from './schedule.ts';
import type { Activity, FiveFactor, WorkshopModule } from './workshop-content.ts';
import type { Workshops } from '../editions/workshops.ts';
import { announcementReader } from '../moderation/announcements.service.ts';
import * as media from '../../models/media.queries.ts';

export interface ModulesDeps {
  db: Db;
  /** The cohort's edition version decides its modules, activities and what completes them. */
  workshops: Workshops;
  now: () => Date;
  /** A cohort's saved open dates, from the app's cache (server/cache/app-caches.ts); read from the database without it. */
  moduleSchedule?: (tenantId: string, cohortId: string) => Promise<readonly modules.ModuleScheduleRow[]>;
  /** Runs in the completing transaction with every module the learner has completed (grades). */
  onModuleCompleted?: (tx: Tx, who: LaunchContext, completedModuleIds: number[]) => Promise<void>;
}

/** What a learner has done in one module, as module completion reads it. */
export interface ModuleProgress {
  /** Ids of the activities with a submitted response. */
  submitted: ReadonlySet<string>;
  /** The learner is in a group, so the module has a group space for them. */
  hasGroup: boolean;
  /** A post or reply of theirs, neither hidden nor deleted, is in the module's group space. */
  postedInGroupSpace: boolean;
}

/**
 * A required activity counts for completion once it can be done: a discussion activity happens in
 * the group's space, which arrives with groups, so before the learner has a group it does not block.
 */
export function countsForCompletion(activity: Activity, hasGroup: boolean): boolean {
  return activity.required && (isSubmittable(activity.kind) || hasGroup);
}

/** A discussion activity is done by a visible post or reply in the group space; the others by a submission. */
export function activityDone(activity: Activity, progress: ModuleProgress): boolean {
  return isSubmittable(activity.kind) ? progress.submitted.has(activity.id) : progress.postedInGroupSpace;
}

/** Module completion, the one rule: every required activity that counts is done. */
export function moduleRequirementsMet(module: WorkshopModule, progress: ModuleProgress): boolean {
  return module.activities.filter((a) => countsForCompletion(a, progress.hasGroup)).every((a) => activityDone(a, progress));
}

function progressOf(m: modules.MemberModule): ModuleProgress {
  return { submitted: new Set(m.responses.filter((r) => r.status === 'submitted').map((r) => r.activityId)), hasGroup: m.hasGroup, postedInGroupSpace: m.postedInGroupSpace };
}

async function readModuleProgress(ex: Db | Tx, who: LaunchContext, moduleId: number): Promise<ModuleProgress> {
  return progressOf(await modules.findMemberModule(ex, { tenantId: who.tenantId, cohortId: who.cohortId, membershipId: who.membershipId, moduleId }));
}

/**
 * The cohort's open dates; a page that already read the cohort passes it, so it is not read twice.
 * Kept with the kept schedule rows (one array until they change), so what a page makes of the dates
 * can be kept by them too. Never changed by a reader.
 */
export async function cohortSchedule(deps: ModulesDeps, who: LaunchContext, known?: { createdAt: Date }): Promise<readonly Date[]> {
  const [cohort, rows] = await Promise.all([
    known ?? cohorts.findCohort(deps.db, who.tenantId, who.cohortId),
    deps.moduleSchedule ? deps.moduleSchedule(who.tenantId, who.cohortId) : modules.listModuleSchedules(deps.db, who.tenantId, who.cohortId),
  ]);
  if (!cohort) throw new NotFoundError('cohort');
  return keptOpenDates.get([rows, cohort.createdAt.getTime()], () => Object.freeze(moduleOpenDates(cohort.createdAt, new Map(rows.map((r) => [r.moduleId, r.opensAt])))));
}
const keptOpenDates = new KeptFor<[readonly modules.ModuleScheduleRow[], number], readonly Date[]>();

/** Activities that take files (server/media): evidence of practice, a curation. */
export const FILE_KINDS: ReadonlySet<string> = new Set(['practice', 'curation']);

/** The draft a file uploaded with an activity's form waits in, until the response is saved. */
export const activityDraftTarget = (moduleId: number, activityId: string) => `activity:${moduleId}:${activityId}`;

export interface ActivityFiles {
  /** The response's own files. */
  attached: Awaited<ReturnType<typeof media.listResponseAttachments>>;
  /** Uploaded with a form that was not saved (a file or the text refused): they go on with the next save. */
  pending: media.PendingAttachment[];
}

export interface ModuleForLearner {
  files: Map<string, ActivityFiles>;
  module: WorkshopModule;
  fiveFactors: readonly FiveFactor[];
  state: CompletionState;
  opensAt: Date;
  responses: Map<string, ActivityResponse>;
  progress: ModuleProgress;
}

export async function openModule(deps: ModulesDeps, who: LaunchContext, moduleId: number, cohort: { tenantId: string; createdAt: Date; editionVersionId: string | null; language: string }): Promise<ModuleForLearner> {
  const workshop = await deps.workshops.forCohortRow(cohort);
  const module = workshop.byId(moduleId);
  if (!module) throw new NotFoundError('module');
  const [dates, mine] = await Promise.all([
    cohortSchedule(deps, who, cohort),
    modules.findMemberModule(deps.db, { tenantId: who.tenantId, cohortId: who.cohortId, membershipId: who.membershipId, moduleId }),
  ]);
  const { responses, completed } = mine;
  const progress = progressOf(mine);
  const opensAt = dates[moduleId - 1]!;
  const fileActivities = module.activities.filter((a) => FILE_KINDS.has(a.kind));
  const [attached, pending] = await Promise.all([
    media.listResponseAttachments(deps.db, who.tenantId, responses.filter((r) => FILE_KINDS.has(r.kind)).map((r) => r.id)),
    Promise.all(fileActivities.map((a) => media.listPendingAttachments(deps.db, who.tenantId, who.membershipId, activityDraftTarget(moduleId, a.id)))),
  ]);
  const files = new Map(fileActivities.map((a, i) => {
    const response = responses.find((r) => r.activityId === a.id);
    return [a.id, { attached: attached.filter((f) => f.responseId === response?.id), pending: pending[i]! }];
  }));
  // Started as the hub and the console read it: a response (draft or submitted) or a post in a group space.
  const state = completionState(deps.now(), opensAt, { completed: completed.includes(moduleId), started: responses.length > 0 || progress.postedInGroupSpace });
  return { module, fiveFactors: workshop.fiveFactors, opensAt, state, responses: new Map(responses.map((r) => [r.activityId, r])), progress, files };
}

export type SaveOutcome =
  | { kind: 'draft-saved' }
  | { kind: 'submitted'; completedModule: boolean }
  | { kind: 'invalid'; error: ValidationError };

/**
 * Saves a draft, or submits: a submission that fails validation is kept as a draft (nothing typed is
 * lost) and its errors returned. The last required submission completes the module, in the same
 * transaction as the completion's grades.
 */
export async function saveActivity(deps: ModulesDeps, who: LaunchContext, moduleId: number, activityId: string, form: ActivityForm, removeFiles: string[] = []): Promise<SaveOutcome> {
  const { module, activity } = await findEditableActivity(deps, who, moduleId, activityId);
  const content = contentFromForm(activity.kind, form);
  const submission = form.intent === 'submit' ? SUBMISSION_SCHEMAS[activity.kind].safeParse(content) : undefined;
  const row = (status: 'draft' | 'submitted', c: Record<string, unknown>) => ({
    tenantId: who.tenantId,
    cohortId: who.cohortId,
    membershipId: who.membershipId,
    moduleId,
    activityId,
    kind: activity.kind,
    status,
    content: c,
    shared: activity.kind === 'reflection' && c.shared === true,
  });
  // Saved with the response: the files uploaded with its form come onto it, the ticked ones go.
  const write = async (tx: Tx, r: ReturnType<typeof row>) => {
    const responseId = await modules.upsertActivityResponse(tx, r);
    if (FILE_KINDS.has(activity.kind)) await media.claimResponseAttachments(tx, { tenantId: who.tenantId, membershipId: who.membershipId, responseId, draftTarget: activityDraftTarget(moduleId, activityId), remove: removeFiles });
  };

  return withTransaction(deps.db, async (tx) => {
    const existing = await modules.findActivityResponseForUpdate(tx, who.tenantId, who.membershipId, moduleId, activityId);
    if (!submission) {
      // A draft never takes back a submission; the form shows what was typed again.
      if (existing?.status === 'submitted') {
        return { kind: 'invalid', error: new ValidationError(msg('modules.errors.alreadySubmitted')) } as const;
      }
      await write(tx, row('draft', content));
      return { kind: 'draft-saved' } as const;
    }
    if (!submission.success) {
      if (existing?.status !== 'submitted') await write(tx, row('draft', content));
      return { kind: 'invalid', error: ValidationError.fromZod(submission.error, msg('modules.errors.keptAsDraft'), true) } as const;
    }
    await write(tx, row('submitted', submission.data as Record<string, unknown>));
    return { kind: 'submitted', completedModule: await completeIfDone(deps, tx, who, module) } as const;
  });
}

/** Throws unless this learner may attach files to this activity now: checked before any byte is stored. */
export async function assertCanAttachToActivity(deps: ModulesDeps, who: LaunchContext, moduleId: number, activityId: string): Promise<void> {
  const { activity } = await findEditableActivity(deps, who, moduleId, activityId);
  if (!FILE_KINDS.has(activity.kind)) throw new AppError(400, 'no-files', msg('modules.errors.noFiles'));
}

/** The activity, once this person may record it now (a learner, the module open). */
async function findEditableActivity(deps: ModulesDeps, who: LaunchContext, moduleId: number, activityId: string) {
  const module = (await deps.workshops.forCohort(who.tenantId, who.cohortId)).byId(moduleId);
  if (!module) throw new NotFoundError('module');
  const activity = module.activities.find((a) => a.id === activityId);
  if (!activity) throw new NotFoundError('activity');
  if (!isSubmittable(activity.kind)) throw new AppError(400, 'not-a-form', msg('modules.errors.notAForm'));
  if (who.role !== 'learner') throw new ForbiddenError('submit-activity', msg('modules.errors.onlyLearners'));
  const dates = await cohortSchedule(deps, who);
  if (dates[moduleId - 1]!.getTime() > deps.now().getTime()) {
    throw new ForbiddenError('module-locked', msg('modules.errors.notOpenYet', { date: dates[moduleId - 1]! }));
  }
  return { module, activity: activity as Activity & { kind: SubmittableKind } };
}

async function completeIfDone(deps: ModulesDeps, tx: Tx, who: LaunchContext, module: WorkshopModule): Promise<boolean> {
  await modules.lockModuleCompletion(tx, who.membershipId, module.id);
  if (!moduleRequirementsMet(module, await readModuleProgress(tx, who, module.id))) return false;
  if (!(await modules.insertModuleCompletion(tx, { tenantId: who.tenantId, cohortId: who.cohortId, membershipId: who.membershipId, moduleId: module.id }))) return false;
  await deps.onModuleCompleted?.(tx, who, await modules.listCompletedModuleIds(tx, who.tenantId, who.membershipId));
  return true;
}

/**
 * Called in the transaction of a learner's post or reply in a module's group space: the post may be
 * the last required activity, and then it completes the module (and queues its grades) right there.
 */
export async function completeModuleAfterPost(deps: ModulesDeps, tx: Tx, who: LaunchContext, moduleId: number): Promise<void> {
  const module = (await deps.workshops.forCohort(who.tenantId, who.cohortId)).byId(moduleId);
  if (!module || who.role !== 'learner') return;
  const dates = await cohortSchedule(deps, who);
  if (dates[moduleId - 1]!.getTime() > deps.now().getTime()) return;
  await completeIfDone(deps, tx, who, module);
}

/** The facilitator's open dates: one per module, each a valid date. */
export async function setSchedule(deps: ModulesDeps, who: LaunchContext, opensAt: Date[]): Promise<void> {
  if (who.role !== 'facilitator') throw new ForbiddenError('set-schedule', msg('modules.errors.onlyFacilitatorsSchedule'));
  if (opensAt.length !== (await deps.workshops.forCohort(who.tenantId, who.cohortId)).modules.length) throw new ValidationError(msg('modules.errors.everyModuleDate'));
  await withTransaction(deps.db, async (tx) => {
    for (const [i, date] of opensAt.entries()) {
      await modules.upsertModuleSchedule(tx, { tenantId: who.tenantId, cohortId: who.cohortId, moduleId: i + 1, opensAt: date });
    }
  });
}

/**
 * What the hub shows this person: open dates, what they completed, started and have due, and the
 * cohort's counts (not every learner's progress, the facilitator's heatmap), with their open nudges
 * and the announcements they see, from one statement.
 */
export async function hubFor(deps: ModulesDeps, who: LaunchContext, cohort: { tenantId: string; createdAt: Date; editionVersionId: string | null; language: string }) {
  const [workshop, dates, page] = await Promise.all([
    deps.workshops.forCohortRow(cohort),
    cohortSchedule(deps, who, cohort),
    modules.readHubPage(deps.db, who.tenantId, who.cohortId, who.membershipId, announcementReader(who)),
  ]);
  const completed = new Set(page.completed);
  const counts = page.cohort;
  const perModule = workshop.modules.map((m) => counts.perModule.get(m.id) ?? 0);
  const now = deps.now();
  return {
    workshop,
    now,
    dates,
    completed,
    started: new Set(page.started),
    due: new Set(dueThisWeek(now, dates, completed)),
    cohortDone: { learners: counts.learners, perModule },
    nudges: page.nudges,
    announcements: page.announcements,
  };
}

/** The facilitator's heatmap rows: per learner, each module done, started or not started. */
/** One learner's shared responses, for a facilitator of their cohort. */
export async function sharedResponsesOf(deps: ModulesDeps, who: LaunchContext, membershipId: string) {
  if (who.role !== 'facilitator') throw new ForbiddenError('shared-responses');
  const membership = await cohorts.findMembership(deps.db, who.tenantId, membershipId);
  if (!membership || membership.cohortId !== who.cohortId) throw new NotFoundError('learner');
  return modules.listSharedResponses(deps.db, who.tenantId, who.cohortId, membershipId);
}

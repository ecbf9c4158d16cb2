// Action plans for the cohort named in the URL: the learner's plan, partners, manager invites and
// check-ins, the plans board, and the facilitator's page. A session made by an emailed sign-in link
// reaches these pages (and only these) with the same membership checks as a launch.
import { msg } from '../i18n/i18n.ts';
import { NO_NAME } from '../notifications/notification-text.ts';
import { textFor } from '../i18n/request-locale.ts';
import { pendingAttachmentsFor, storeUpload, type MediaDeps } from '../media/media.service.ts';
import { countingUploads, readUploadForm } from '../media/upload-form.ts';
import { createPostingLimits } from '../discussions/discussions.routes.ts';
import { attachmentPickerView } from '../media/attachment-view.ts';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { ValidationError } from '../errors.ts';
import { requireLaunch } from '../http/auth.ts';
import { createRateLimit } from '../http/rate-limit.ts';
import { AnswerForm, CommentBody, CommentForm, InviteForm, InviteParams, PartnersForm, PlanForm, PlanParams, ScheduleForm, SeqParams } from './action-plans.schemas.ts';
import { answerPartnerRequest, askPartners, commentOnPlan, listPlansBoard, openOwnPlan, openPlan, saveActionPlan, type ActionPlansDeps } from './action-plans.service.ts';
import { assertCanAttachToCheckIn, checkInDraftTarget, cohortPlanFigures, openCheckIn, recordCheckIn, remindMissedCheckIns, setCheckInSchedule } from './check-ins.service.ts';
import { inviteManager, revokeManagerInvite } from './manager-invites.service.ts';
import { withEmailSignIn } from './email-sign-in.ts';
import { boardView, checkInView, consoleView, ownPlanView, planView } from './action-plans.views.ts';
import { launchCohort } from '../http/launch-cohort.ts';

export function actionPlansRouter(deps: ActionPlansDeps & { media: MediaDeps }): Router {
  const r = Router();
  const member: RequestHandler[] = [withEmailSignIn, requireLaunch(deps.db)];
  const facilitator: RequestHandler[] = [withEmailSignIn, requireLaunch(deps.db, 'facilitator')];
  const inviteLimit = createRateLimit({ db: deps.db, name: 'manager-invite', windowMs: 3600_000, limit: 5, key: (req) => `${req.launch!.tenantId}:${req.launch!.personId}`, message: msg('limits.managerInvite') });
  const base = (req: Request) => `/cohorts/${req.launch!.cohortId}`;

  r.get('/:cohortId/action-plan', ...member, async (req, res) => {
    if (req.launch!.role === 'facilitator') return res.redirect(303, `${base(req)}/action-plans/console`);
    await renderOwn(req, res, 200, {});
  });
  const save = async (req: Request, res: Response, planId?: string) => {
    const form = PlanForm.parse(req.body ?? {});
    const outcome = await saveActionPlan(deps, req.launch!, form, planId);
    if (outcome.kind === 'invalid') return renderOwn(req, res, 400, { error: outcome.error, form });
    res.redirect(303, `${base(req)}/action-plan?saved=${outcome.submitted ? 'submitted' : 'draft'}`);
  };
  r.post('/:cohortId/action-plan', ...member, (req, res) => save(req, res));
  r.post('/:cohortId/action-plan/partners', ...member, async (req, res) => {
    const chosen = PartnersForm.safeParse(req.body ?? {});
    try {
      if (!chosen.success) throw new ValidationError(msg('plans.errors.choosePartners'), { partner: msg('plans.errors.choosePartners') });
      await askPartners(deps, req.launch!, chosen.data);
    } catch (err) {
      if (err instanceof ValidationError) return renderOwn(req, res, 400, { partnerError: textFor(req, err.userMessage) });
      throw err;
    }
    res.redirect(303, `${base(req)}/action-plan?saved=partners#partners`);
  });
  r.post('/:cohortId/action-plan/manager', ...member, inviteLimit, async (req, res) => {
    const { email } = InviteForm.parse(req.body ?? {});
    try {
      await inviteManager(deps, req.launch!, email);
    } catch (err) {
      if (err instanceof ValidationError) return renderOwn(req, res, 400, { inviteError: textFor(req, err.userMessage), inviteEmail: email });
      throw err;
    }
    res.redirect(303, `${base(req)}/action-plan?saved=invited#manager`);
  });
  r.post('/:cohortId/action-plan/manager/:inviteId/revoke', ...member, async (req, res) => {
    const { inviteId } = InviteParams.parse(req.params);
    await revokeManagerInvite(deps, req.launch!, inviteId);
    res.redirect(303, `${base(req)}/action-plan?saved=revoked#manager`);
  });
  r.get('/:cohortId/action-plan/check-ins/:seq', ...member, async (req, res) => renderCheckIn(req, res, 200, {}));
  r.post('/:cohortId/action-plan/check-ins/:seq', ...member, ...countingUploads(createPostingLimits(deps.db)), async (req, res) => {
    const { seq } = SeqParams.parse(req.params);
    const who = req.launch!;
    // Files (a photo of the whiteboard, the plan as it now stands) wait with the form until the check-in is recorded.
    if (req.is('multipart/form-data')) await assertCanAttachToCheckIn(deps, who, seq);
    const target = checkInDraftTarget(seq);
    const upload = await readUploadForm(req, res, { maxFileBytes: Math.max(...Object.values(deps.media.limits.maxBytes)), maxFiles: 10, store: (file, name) => storeUpload(deps.media, who, target, file, name) });
    const form = PlanForm.parse(upload.fields);
    if (upload.refused) return renderCheckIn(req, res, upload.refused.status, { error: new ValidationError(upload.refused.userMessage), form });
    const outcome = await recordCheckIn(deps, who, seq, form);
    if (outcome.kind === 'invalid') return renderCheckIn(req, res, 400, { error: outcome.error, form });
    res.redirect(303, `${base(req)}/action-plan?saved=check-in#check-ins`);
  });

  r.get('/:cohortId/action-plans', ...member, async (req, res) => {
    const [cohort, plans] = await Promise.all([launchCohort(deps.db, req), listPlansBoard(deps, req.launch!)]);
    res.render('action-plans/board', { title: req.i18n!.t('plans.board.title'), ...boardView(cohort, req.launch!, plans) });
  });
  r.get('/:cohortId/action-plans/console', ...facilitator, async (req, res) => {
    const [cohort, figures] = await Promise.all([launchCohort(deps.db, req), cohortPlanFigures(deps, req.launch!)]);
    res.render('action-plans/console', { title: req.i18n!.t('plans.console.pageTitle'), ...consoleView(cohort, req.launch!, figures, req.query as Record<string, string>) });
  });
  r.post('/:cohortId/action-plans/console/schedule', ...facilitator, async (req, res) => {
    const parsed = ScheduleForm.safeParse(req.body ?? {});
    if (!parsed.success) {
      const [cohort, figures] = await Promise.all([launchCohort(deps.db, req), cohortPlanFigures(deps, req.launch!)]);
      return res.status(400).render('action-plans/console', { title: req.i18n!.t('plans.console.pageTitle'), ...consoleView(cohort, req.launch!, figures, {}, { error: ValidationError.fromZod(parsed.error, msg('plans.errors.scheduleNotSaved'), true), form: req.body as Record<string, string> }) });
    }
    await setCheckInSchedule(deps, req.launch!, parsed.data);
    res.redirect(303, `${base(req)}/action-plans/console?scheduled=1`);
  });
  r.post('/:cohortId/action-plans/console/remind', ...facilitator, async (req, res) => {
    const { sent } = await remindMissedCheckIns(deps, req.launch!);
    res.redirect(303, `${base(req)}/action-plans/console?reminded=${sent}`);
  });
  r.get('/:cohortId/action-plans/:planId', ...member, async (req, res) => {
    const { planId } = PlanParams.parse(req.params);
    await renderPlan(req, res, planId, 200, {});
  });
  r.post('/:cohortId/action-plans/:planId', ...member, (req, res) => save(req, res, PlanParams.parse(req.params).planId));
  r.post('/:cohortId/action-plans/:planId/answer', ...member, async (req, res) => {
    const { planId } = PlanParams.parse(req.params);
    const { answer } = AnswerForm.parse(req.body ?? {});
    await answerPartnerRequest(deps, req.launch!, planId, answer);
    res.redirect(303, `${base(req)}/action-plans/${planId}?answered=${answer}`);
  });
  r.post('/:cohortId/action-plans/:planId/comments', ...member, async (req, res) => {
    const { planId } = PlanParams.parse(req.params);
    const form = CommentForm.parse(req.body ?? {});
    const body = CommentBody.safeParse(form.body);
    if (!body.success) return renderPlan(req, res, planId, 400, { commentError: msg(body.error.issues[0]!.message), comment: form.body });
    await commentOnPlan(deps, req.launch!, planId, body.data, form.checkInId || null);
    res.redirect(303, `${base(req)}/action-plans/${planId}?replied=1#comments`);
  });

  async function renderOwn(req: Request, res: Response, status: number, flash: Parameters<typeof ownPlanView>[3]) {
    const [cohort, own] = await Promise.all([launchCohort(deps.db, req), openOwnPlan(deps, req.launch!)]);
    res.status(status).render('action-plans/own-plan', { title: req.i18n!.t('plans.own.title'), ...ownPlanView(cohort, req.launch!, own, { ...flash, saved: String(req.query.saved ?? '') }, deps) });
  }
  async function renderPlan(req: Request, res: Response, planId: string, status: number, flash: Parameters<typeof planView>[3]) {
    const [cohort, p] = await Promise.all([launchCohort(deps.db, req), openPlan(deps, req.launch!, planId)]);
    res.status(status).render('action-plans/plan', { title: req.i18n!.t('plans.plan.title', { name: p.plan.ownerName ?? NO_NAME }), ...planView(cohort, req.launch!, p, flash) });
  }
  async function renderCheckIn(req: Request, res: Response, status: number, flash: Parameters<typeof checkInView>[3]) {
    const { seq } = SeqParams.parse(req.params);
    const [cohort, c, pending] = await Promise.all([launchCohort(deps.db, req), openCheckIn(deps, req.launch!, seq), pendingAttachmentsFor(deps, req.launch!, checkInDraftTarget(seq))]);
    res.status(status).render('action-plans/check-in', { title: req.i18n!.t('plans.checkIn.title', { seq }), picker: attachmentPickerView(pending, deps.media.limits.maxBytes), ...checkInView(cohort, req.launch!, c, flash) });
  }
  return r;
}

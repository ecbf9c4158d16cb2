// The facilitator's dashboard pages (/cohorts/:id/console/...): group health and quiet learners
// with nudges, social capital, Community of Inquiry, the five-factor check, the printable report and
// CSV exports; and a learner dismissing their own nudge. Facilitators of the cohort only.
import { textFor } from '../i18n/request-locale.ts';
import { msg } from '../i18n/i18n.ts';
import { Router, type Request, type Response } from 'express';
import { NotFoundError, ValidationError, ConflictError } from '../errors.ts';
import { requireLaunch } from '../http/auth.ts';
import { consoleView } from '../cohorts/cohorts.views.ts';
import { HeatmapPageQuery } from '../cohorts/cohorts.schemas.ts';
import { cohortReport, dashboardFigures, fiveFactorCheck, inquiry, RelationshipAnalyticsOffError, saveAnalyticsSettings, socialCapital, type AnalyticsDeps } from './analytics.service.ts';
import { utcDay } from './quiet-learners.ts';
import { dismissNudge, nudgeFormFor, nudgeTemplate, sendNudge } from './nudges.service.ts';
import { ExportParams, LearnerParams, NudgeForm, NudgeParams, QuietDays, SettingsForm } from './analytics.schemas.ts';
import { fiveFactorView, groupHealthView, inquiryView, pageBase, participationView, quietView, socialView } from './analytics.views.ts';
import { exportCsv } from './analytics.exports.ts';
import { errorSummary } from '../http/error-summary.ts';
import { launchCohort } from '../http/launch-cohort.ts';

export function analyticsRouter(deps: AnalyticsDeps): Router {
  const r = Router();
  const facilitator = requireLaunch(deps.db, 'facilitator');
  const findCohort = (req: Request) => launchCohort(deps.db, req);

  r.get('/:cohortId/console/dashboard', facilitator, (req, res) => renderDashboard(req, res, 200, { saved: req.query.saved === 'settings', nudged: req.query.nudged === '1' }));

  r.post('/:cohortId/console/dashboard/settings', facilitator, async (req, res) => {
    const form = SettingsForm.parse(req.body ?? {});
    const days = QuietDays.safeParse(form.quietDays);
    if (!days.success) return renderDashboard(req, res, 400, { settingsError: new ValidationError(msg('analytics.dashboard.settings.notSaved'), { quietDays: msg(days.error.issues[0]!.message) }), typed: form });
    await saveAnalyticsSettings(deps, req.launch!, { quietDays: days.data, showNames: form.showNames === 'on', relationshipAnalytics: form.relationshipAnalytics === 'on' });
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/console/dashboard?saved=settings#settings`);
  });

  r.get('/:cohortId/console/nudges/:membershipId', facilitator, async (req, res) => {
    const { membershipId } = LearnerParams.parse(req.params);
    const { learner, cohort } = await nudgeFormFor(deps, req.launch!, membershipId);
    renderNudge(req, res, 200, { learner, message: nudgeTemplate(req.i18n!, learner.name, cohort.title, req.launch!.displayName) });
  });

  r.post('/:cohortId/console/nudges/:membershipId', facilitator, async (req, res) => {
    const { membershipId } = LearnerParams.parse(req.params);
    const { message } = NudgeForm.parse(req.body ?? {});
    try {
      await sendNudge(deps, req.launch!, membershipId, message);
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err;
      const { learner } = await nudgeFormFor(deps, req.launch!, membershipId);
      return renderNudge(req, res, err.status, { learner, message, error: textFor(req, err.userMessage) });
    }
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/console/dashboard?nudged=1#quiet`);
  });

  r.get('/:cohortId/console/social', facilitator, async (req, res) => {
    const cohort = await findCohort(req);
    const s = await socialCapital(deps, req.launch!).catch((err: unknown) => {
      if (err instanceof RelationshipAnalyticsOffError) return undefined;
      throw err;
    });
    const title = req.i18n!.t('analytics.nav.social');
    if (!s) return res.render('analytics/social', { title, ...pageBase(req.i18n!, cohort, req.launch!, 'social'), relationshipOff: true });
    res.render('analytics/social', { title, ...pageBase(req.i18n!, cohort, req.launch!, 'social', s.asOf), social: socialView(req.i18n!, s) });
  });

  r.get('/:cohortId/console/inquiry', facilitator, async (req, res) => {
    const [cohort, c] = await Promise.all([findCohort(req), inquiry(deps, req.launch!)]);
    res.render('analytics/inquiry', { title: req.i18n!.t('analytics.nav.inquiry'), ...pageBase(req.i18n!, cohort, req.launch!, 'inquiry', c.asOf), ...inquiryView(req.i18n!, c.groups) });
  });

  r.get('/:cohortId/console/five-factor', facilitator, async (req, res) => {
    const [cohort, f] = await Promise.all([findCohort(req), fiveFactorCheck(deps, req.launch!)]);
    res.render('analytics/five-factor', { title: req.i18n!.t('analytics.nav.fiveFactor'), ...pageBase(req.i18n!, cohort, req.launch!, 'five-factor'), ...fiveFactorView(req.i18n!, f) });
  });

  r.get('/:cohortId/console/report', facilitator, async (req, res) => {
    const who = req.launch!;
    const cohort = await findCohort(req);
    const r = await cohortReport(deps, who, cohort);
    const heat = consoleView(req.i18n!, cohort, who, [], r.progress, await deps.workshops.forCohortRow(cohort), false);
    const i18n = req.i18n!;
    res.render('analytics/report', {
      title: i18n.t('analytics.report.pageTitle', { cohort: cohort.title }),
      ...pageBase(i18n, cohort, who, 'report', r.asOf),
      generatedOn: i18n.date(deps.now()),
      heatmap: heat.heatmap, heatmapModules: heat.heatmapModules, heatmapLegend: heat.heatmapLegend,
      health: groupHealthView(r.health), social: r.social ? socialView(i18n, r.social) : undefined, relationshipOff: !r.social, inquiry: inquiryView(i18n, r.inquiry), fiveFactor: fiveFactorView(i18n, r.fiveFactor),
      participation: participationView(i18n, r.participation),
    });
  });

  r.get('/:cohortId/console/export/:kind.csv', facilitator, async (req, res) => {
    const { kind } = ExportParams.parse(req.params);
    const cohort = await findCohort(req);
    const csv = await exportCsv(deps, req.launch!, cohort, req.i18n!, kind);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${cohort.id}-${kind}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    res.send(csv);
  });

  // The learner's own nudge, dismissed from their hub.
  r.post('/:cohortId/nudges/:nudgeId/dismiss', requireLaunch(deps.db), async (req, res) => {
    const params = NudgeParams.safeParse(req.params);
    if (!params.success) throw new NotFoundError('message');
    await dismissNudge(deps, req.launch!, params.data.nudgeId);
    res.redirect(303, `/cohorts/${req.launch!.cohortId}`);
  });

  interface DashboardFlash { saved?: boolean; nudged?: boolean; settingsError?: ValidationError; typed?: { quietDays: string; showNames?: string | undefined; relationshipAnalytics?: string } }
  async function renderDashboard(req: Request, res: Response, status: number, flash: DashboardFlash) {
    const who = req.launch!;
    const cohort = await findCohort(req);
    const d = await dashboardFigures(deps, who, cohort);
    const heat = consoleView(req.i18n!, cohort, who, [], d.progress, await deps.workshops.forCohortRow(cohort), false, {
      after: HeatmapPageQuery.parse(req.query).progress_after,
      here: `/cohorts/${who.cohortId}/console/dashboard`,
    });
    const i18n = req.i18n!;
    const templates = new Map(d.quiet.map((l) => [l.membershipId, nudgeTemplate(i18n, l.name, cohort.title, who.displayName)]));
    res.status(status).render('analytics/dashboard', {
      title: i18n.t('analytics.dashboard.pageTitle'),
      ...pageBase(i18n, cohort, who, 'dashboard', d.asOf),
      heatmap: heat.heatmap,
      heatmapPages: heat.heatmapPages,
      heatmapModules: heat.heatmapModules,
      heatmapLegend: heat.heatmapLegend,
      health: groupHealthView(d.health),
      quietDays: d.settings.quietDays,
      quiet: quietView(i18n, cohort.id, d.quiet, templates),
      settings: flash.typed ? { quietDays: flash.typed.quietDays, showNames: flash.typed.showNames === 'on', relationshipAnalytics: flash.typed.relationshipAnalytics !== 'off' } : d.settings,
      settingsError: flash.settingsError?.fieldErrors.quietDays,
      errorSummary: errorSummary(flash.settingsError, (key) => (key === 'quietDays' ? key : undefined), 'settings-form'),
      saved: flash.saved,
      nudged: flash.nudged,
    });
  }

  function renderNudge(req: Request, res: Response, status: number, v: { learner: { name: string | null; membershipId: string }; message: string; error?: string }) {
    const cohortId = req.launch!.cohortId;
    res.status(status).render('analytics/nudge', {
      title: req.i18n!.t('analytics.nudge.pageTitle'),
      cohort: { id: cohortId },
      learner: { name: v.learner.name },
      action: `/cohorts/${cohortId}/console/nudges/${v.learner.membershipId}`,
      message: v.message,
      error: v.error,
      // every refusal is about the message: empty, too long, or a second nudge today
      errorSummary: v.error ? [{ field: 'message', message: v.error }] : [],
    });
  }

  return r;
}

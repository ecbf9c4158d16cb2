// The facilitator's dashboard pages (/cohorts/:id/console/...): group health and quiet learners
// with nudges, social capital, Community of Inquiry, the five-factor check, the printable report and
// CSV exports; and a learner dismissing their own nudge. Facilitators of the cohort only.
import { textFor } from '../i18n/request-locale.ts';
import { Router, type Request, type Response } from 'express';
import * as cohorts from '../../models/cohorts.queries.ts';
import { NotFoundError, ValidationError, ConflictError } from '../errors.ts';
import { requireLaunch } from '../http/auth.ts';
import { consoleView } from '../cohorts/cohorts.views.ts';
import { cohortReport, dashboardFigures, fiveFactorCheck, inquiry, RelationshipAnalyticsOffError, saveAnalyticsSettings, socialCapital, utcDay, type AnalyticsDeps } from './analytics.service.ts';
import { dismissNudge, nudgeFormFor, nudgeTemplate, sendNudge } from './nudges.service.ts';
import { ExportParams, LearnerParams, NudgeForm, NudgeParams, QuietDays, SettingsForm } from './analytics.schemas.ts';
import { fiveFactorView, groupHealthView, inquiryView, pageBase, quietView, socialView } from './analytics.views.ts';
import { exportCsv } from './analytics.exports.ts';
import { errorSummary } from '../http/error-summary.ts';

export function analyticsRouter(deps: AnalyticsDeps): Router {
  const r = Router();
  const facilitator = requireLaunch(deps.db, 'facilitator');
  const findCohort = async (req: Request) => {
    const cohort = await cohorts.findCohort(deps.db, req.launch!.tenantId, req.launch!.cohortId);
    if (!cohort) throw new NotFoundError('cohort');
    return cohort;
  };

  r.get('/:cohortId/console/dashboard', facilitator, (req, res) => renderDashboard(req, res, 200, { saved: req.query.saved === 'settings', nudged: req.query.nudged === '1' }));

  r.post('/:cohortId/console/dashboard/settings', facilitator, async (req, res) => {
    const form = SettingsForm.parse(req.body ?? {});
    const days = QuietDays.safeParse(form.quietDays);
    if (!days.success) return renderDashboard(req, res, 400, { settingsError: new ValidationError('The settings were not saved.', { quietDays: days.error.issues[0]!.message }), typed: form });
    await saveAnalyticsSettings(deps, req.launch!, { quietDays: days.data, showNames: form.showNames === 'on', relationshipAnalytics: form.relationshipAnalytics === 'on' });
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/console/dashboard?saved=settings#settings`);
  });

  r.get('/:cohortId/console/nudges/:membershipId', facilitator, async (req, res) => {
    const { membershipId } = LearnerParams.parse(req.params);
    const { learner, template } = await nudgeFormFor(deps, req.launch!, membershipId);
    renderNudge(req, res, 200, { learner, message: template });
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
    if (!s) return res.render('analytics/social', { title: 'Social capital', ...pageBase(cohort, req.launch!, 'social'), relationshipOff: true });
    res.render('analytics/social', { title: 'Social capital', ...pageBase(cohort, req.launch!, 'social', s.asOf), ...socialView(s) });
  });

  r.get('/:cohortId/console/inquiry', facilitator, async (req, res) => {
    const [cohort, c] = await Promise.all([findCohort(req), inquiry(deps, req.launch!)]);
    res.render('analytics/inquiry', { title: 'Community of Inquiry', ...pageBase(cohort, req.launch!, 'inquiry', c.asOf), ...inquiryView(c.groups) });
  });

  r.get('/:cohortId/console/five-factor', facilitator, async (req, res) => {
    const [cohort, f] = await Promise.all([findCohort(req), fiveFactorCheck(deps, req.launch!)]);
    res.render('analytics/five-factor', { title: 'Five-factor check', ...pageBase(cohort, req.launch!, 'five-factor'), ...fiveFactorView(f) });
  });

  r.get('/:cohortId/console/report', facilitator, async (req, res) => {
    const who = req.launch!;
    const [cohort, r] = await Promise.all([findCohort(req), cohortReport(deps, who)]);
    const heat = consoleView(req.i18n!, cohort, who, [], r.progress, await deps.workshops.forCohortRow(cohort), false);
    res.render('analytics/report', {
      title: `${cohort.title} — cohort report`,
      ...pageBase(cohort, who, 'report', r.asOf),
      generatedOn: utcDay(deps.now()),
      heatmap: heat.heatmap, heatmapModules: heat.heatmapModules, heatmapLegend: heat.heatmapLegend,
      health: groupHealthView(r.health), social: r.social ? socialView(r.social) : undefined, relationshipOff: !r.social, inquiry: inquiryView(r.inquiry), fiveFactor: fiveFactorView(r.fiveFactor),
      participation: r.participation.map((p) => ({ ...p, name: p.name ?? 'Name not shared', lastActive: p.lastActiveAt ? p.lastActiveAt.toISOString().slice(0, 10) : 'Never' })),
    });
  });

  r.get('/:cohortId/console/export/:kind.csv', facilitator, async (req, res) => {
    const { kind } = ExportParams.parse(req.params);
    const cohort = await findCohort(req);
    const csv = await exportCsv(deps, req.launch!, kind);
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
    const [cohort, d] = await Promise.all([findCohort(req), dashboardFigures(deps, who)]);
    const heat = consoleView(req.i18n!, cohort, who, [], d.progress, await deps.workshops.forCohortRow(cohort), false);
    const templates = new Map(d.quiet.map((l) => [l.membershipId, nudgeTemplate(l.name, cohort.title, who.displayName)]));
    res.status(status).render('analytics/dashboard', {
      title: 'Cohort dashboard',
      ...pageBase(cohort, who, 'dashboard', d.asOf),
      heatmap: heat.heatmap,
      heatmapModules: heat.heatmapModules,
      heatmapLegend: heat.heatmapLegend,
      health: groupHealthView(d.health),
      quietDays: d.settings.quietDays,
      quiet: quietView(cohort.id, d.quiet, templates),
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
      title: 'Send a nudge',
      cohort: { id: cohortId },
      learner: { name: v.learner.name ?? 'this learner' },
      action: `/cohorts/${cohortId}/console/nudges/${v.learner.membershipId}`,
      message: v.message,
      error: v.error,
      // every refusal is about the message: empty, too long, or a second nudge today
      errorSummary: v.error ? [{ field: 'message', message: v.error }] : [],
    });
  }

  return r;
}

// A module's page and its activity forms, for the cohort named in the URL.
import { Router, type Request, type Response } from 'express';
import * as cohorts from '../../models/cohorts.queries.ts';
import { NotFoundError } from '../errors.ts';
import { requireLaunch } from '../http/auth.ts';
import { ActivityForm, ActivityParams, ModuleParams } from './modules.schemas.ts';
import { openModule, saveActivity, type ModulesDeps } from './modules.service.ts';
import { modulePageView } from './modules.views.ts';

export function modulesRouter(deps: ModulesDeps): Router {
  const r = Router();

  r.get('/:cohortId/modules/:moduleId', requireLaunch(deps.db), async (req, res) => {
    const { moduleId } = ModuleParams.parse(req.params);
    const q = req.query as Record<string, string | undefined>;
    await renderModule(req, res, moduleId, 200, { saved: q.saved, submitted: q.submitted, completed: q.completed === '1' });
  });

  r.post('/:cohortId/modules/:moduleId/activities/:activityId', requireLaunch(deps.db), async (req, res) => {
    const { moduleId, activityId } = ActivityParams.parse(req.params);
    const form = ActivityForm.parse(req.body ?? {}) as ActivityForm;
    const outcome = await saveActivity(deps, req.launch!, moduleId, activityId, form);
    if (outcome.kind === 'invalid') return renderModule(req, res, moduleId, 400, { invalid: { activityId, error: outcome.error, form } });
    const flag = outcome.kind === 'draft-saved' ? `saved=${activityId}` : `submitted=${activityId}${outcome.completedModule ? '&completed=1' : ''}`;
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/modules/${moduleId}?${flag}#${activityId}`);
  });

  async function renderModule(req: Request, res: Response, moduleId: number, status: number, flash: Parameters<typeof modulePageView>[3]) {
    const who = req.launch!;
    const cohort = await (req.caches?.cohort(who.tenantId, who.cohortId) ?? cohorts.findCohort(deps.db, who.tenantId, who.cohortId));
    if (!cohort) throw new NotFoundError('cohort');
    const m = await openModule(deps, who, moduleId, cohort);
    res.status(status).render('modules/module', { title: `${m.module.id}. ${m.module.title}`, ...modulePageView(who, cohort, m, flash) });
  }

  return r;
}

// The programme view at /programme: a tenant's cohorts side by side, for its programme lead only.
import { Router, type Request, type Response } from 'express';
import { AppError, ValidationError } from '../errors.ts';
import { requireNamedRole } from '../named-roles/named-roles.guard.ts';
import { programmeOverview, type ProgrammeDeps } from './programme.service.ts';
import { programmeCsv, programmeView } from './programme.views.ts';
import { GoalForm, GoalParams } from './programme.schemas.ts';
import { removeRelationshipGoal, setRelationshipGoal } from './relationship-goals.service.ts';
import { errorSummary } from '../http/error-summary.ts';

export function programmeRouter(deps: ProgrammeDeps): Router {
  const r = Router();
  const lead = requireNamedRole(deps.db, 'programme-lead');

  const render = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const overview = await programmeOverview(deps, req.launch!);
    res.status(status).render('programme/programme', { title: req.i18n!.t('programme.title'), ...programmeView(req.i18n!, overview, req.launch!.tenantId), goalForm: { kind: '', threshold: '', at: '' }, ...extra });
  };

  r.get('/', lead, (req, res) => render(req, res, 200, { goalSaved: req.query.goal === 'set', goalRemoved: req.query.goal === 'removed' }));

  r.post('/goals', lead, async (req, res) => {
    const form = GoalForm.parse(req.body ?? {});
    try {
      await setRelationshipGoal(deps.db, req.launch!, form);
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      return render(req, res, err.status, { goalForm: form, goalError: err.userMessage, errorSummary: errorSummary(err instanceof ValidationError ? err : { userMessage: err.userMessage, fieldErrors: {} }, (k) => `goal-${k}`, 'goal-form') });
    }
    res.redirect(303, '/programme?goal=set#goals');
  });

  r.post('/goals/:goalId/remove', lead, async (req, res) => {
    const { goalId } = GoalParams.parse(req.params);
    await removeRelationshipGoal(deps.db, req.launch!, goalId);
    res.redirect(303, '/programme?goal=removed#goals');
  });

  r.get('/programme.csv', lead, async (req, res) => {
    const overview = await programmeOverview(deps, req.launch!);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="programme.csv"');
    res.send(programmeCsv(req.i18n!, overview));
  });

  return r;
}

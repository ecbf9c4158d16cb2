// The programme view at /programme: a tenant's cohorts side by side, for its programme lead only.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { AppError, ForbiddenError, ValidationError } from '../errors.ts';
import { recheckLaunch } from '../http/auth.ts';
import type { Db } from '../../models/db.ts';
import { isNamedProgrammeLead } from '../../models/programme.queries.ts';
import { programmeOverview, type ProgrammeDeps } from './programme.service.ts';
import { programmeCsv, programmeView } from './programme.views.ts';
import { GoalForm, GoalParams } from './programme.schemas.ts';
import { removeRelationshipGoal, setRelationshipGoal } from './relationship-goals.service.ts';
import { errorSummary } from '../http/error-summary.ts';

/**
 * Sets req.launch from the session's latest launch that still stands (membership, deployment,
 * platform active) and makes its person a lead of its tenant: the LMS's Administrator role at that
 * launch, or named by the tool admin (looked up now, so a removal counts at once). Its tenant is the
 * one shown. 401 without any launch; 403 for someone launched but never as a lead.
 */
export function requireProgrammeLead(db: Db): RequestHandler {
  return async (req: Request, res, next) => {
    const launches = Object.values(req.user?.launches ?? {});
    if (launches.length === 0) {
      return next(new AppError(401, 'no-launch', 'You are not signed in to Circlework. Open Circlework from your course to continue.'));
    }
    const latestFirst = [...launches].sort((a, b) => b.launchedAt.localeCompare(a.launchedAt));
    for (const l of latestFirst) {
      if (l.programmeLead !== true && !(await isNamedProgrammeLead(db, l.tenantId, l.personId))) continue;
      const standing = await recheckLaunch(db, l, req.caches);
      if (standing) {
        req.launch = standing;
        res.locals.returnToCourse = standing.returnUrl;
        return next();
      }
    }
    next(new ForbiddenError('programme', 'The programme view is for your organisation’s programme leads (the LMS’s administrators and people your Circlework administrator named).'));
  };
}

export function programmeRouter(deps: ProgrammeDeps): Router {
  const r = Router();
  const lead = requireProgrammeLead(deps.db);

  const render = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const overview = await programmeOverview(deps, req.launch!);
    res.status(status).render('programme/programme', { title: 'Programme', ...programmeView(overview, req.launch!.tenantId), goalForm: { kind: '', threshold: '', at: '' }, ...extra });
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
    res.send(programmeCsv(overview));
  });

  return r;
}

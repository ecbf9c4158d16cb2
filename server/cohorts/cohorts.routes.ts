// The cohort hub (learners) and the facilitator console, for the cohort named in the URL.
import { Router } from 'express';
import type { Db } from '../../models/db.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import type { Workshop } from '../modules/workshop-content.ts';
import { NotFoundError } from '../errors.ts';
import { requireLaunch } from '../http/auth.ts';
import { consoleView, hubView } from './cohorts.views.ts';

export function cohortsRouter(deps: { db: Db; workshop: Workshop }): Router {
  const r = Router();

  r.get('/:cohortId', requireLaunch(deps.db), async (req, res) => {
    const launch = req.launch!;
    const cohort = await cohorts.findCohort(deps.db, launch.tenantId, launch.cohortId);
    if (!cohort) throw new NotFoundError('cohort');
    res.render('cohorts/hub', { title: cohort.title, ...hubView(cohort, launch, deps.workshop) });
  });

  r.get('/:cohortId/console', requireLaunch(deps.db, 'facilitator'), async (req, res) => {
    const launch = req.launch!;
    const cohort = await cohorts.findCohort(deps.db, launch.tenantId, launch.cohortId);
    if (!cohort) throw new NotFoundError('cohort');
    const members = await cohorts.listCohortMembers(deps.db, launch.tenantId, launch.cohortId);
    res.render('cohorts/console', { title: `${cohort.title} — console`, ...consoleView(cohort, launch, members) });
  });

  return r;
}

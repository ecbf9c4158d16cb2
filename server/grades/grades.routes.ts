// The facilitator's view of grade sync: the newest score per learner per LMS link, and a retry for
// scores that failed. Mounted at /cohorts.
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import { listCohortGrades } from '../../models/grade-outbox.queries.ts';
import { listCohortResourceLinks } from '../../models/resource-links.queries.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { NotFoundError } from '../errors.ts';
import { requireLaunch } from '../http/auth.ts';
import { retryGrade } from './grades.service.ts';
import { gradesView } from './grades.views.ts';

const OutboxParams = z.object({ outboxId: z.uuid() });
const RetriedQuery = z.object({ retried: z.uuid().optional().catch(undefined) });

export function gradesRouter(deps: { db: Db; queue: JobQueue }): Router {
  const r = Router();

  r.get('/:cohortId/console/grades', requireLaunch(deps.db, 'facilitator'), async (req, res) => {
    const launch = req.launch!;
    const cohort = await cohorts.findCohort(deps.db, launch.tenantId, launch.cohortId);
    if (!cohort) throw new NotFoundError('cohort');
    const [grades, links] = await Promise.all([listCohortGrades(deps.db, launch.tenantId, launch.cohortId), listCohortResourceLinks(deps.db, launch.tenantId, launch.cohortId)]);
    const { retried } = RetriedQuery.parse(req.query);
    res.render('grades/sync', { title: req.i18n!.t('cohorts.grades.pageTitle', { course: cohort.title }), ...gradesView(req.i18n!, cohort, launch, grades, links, retried) });
  });

  r.post('/:cohortId/console/grades/:outboxId/retry', requireLaunch(deps.db, 'facilitator'), async (req, res) => {
    const params = OutboxParams.safeParse(req.params);
    if (!params.success) throw new NotFoundError('score');
    await retryGrade(deps, req.launch!, params.data.outboxId);
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/console/grades?retried=${params.data.outboxId}`);
  });

  return r;
}

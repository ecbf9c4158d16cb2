// A teacher's "Select content" in the LMS: pick the whole workshop or modules, and send them back.
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import type { Config } from '../config.ts';
import type { Workshops } from '../editions/workshops.ts';
import type { LtijsServices } from '../../lti/lti-tool.ts';
import { requireLaunch } from '../http/auth.ts';
import { chooseContent, selectionView } from './deep-linking.service.ts';

const SelectionForm = z.object({
  items: z.union([z.string(), z.array(z.string())]).optional(),
  graded: z.literal('on').optional(),
});

export function deepLinkingRouter(deps: { db: Db; config: Config; workshops: Workshops; lti: LtijsServices }): Router {
  const r = Router();

  r.get('/:cohortId/deep-linking', requireLaunch(deps.db, 'facilitator'), async (req, res) => {
    // The modules of the course's own edition: its cohort was pinned to it at its first launch.
    const workshop = await deps.workshops.forCohort(req.launch!.tenantId, req.launch!.cohortId);
    res.render('deep-linking/select', { title: 'Add Circlework to your course', ...selectionView(req.launch!, workshop) });
  });

  r.post('/:cohortId/deep-linking', requireLaunch(deps.db, 'facilitator'), async (req, res) => {
    const form = SelectionForm.parse(req.body ?? {});
    const chosen = [form.items ?? []].flat();
    const answer = await chooseContent({ ...deps, workshop: await deps.workshops.forCohort(req.launch!.tenantId, req.launch!.cohortId) }, req.launch!, chosen, form.graded === 'on');
    res.render('deep-linking/return', { title: 'Returning to your course', ...answer });
  });

  return r;
}

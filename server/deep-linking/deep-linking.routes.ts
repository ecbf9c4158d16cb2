// A teacher's "Select content" in the LMS: pick the whole workshop or modules, and send them back.
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import type { Config } from '../config.ts';
import type { Workshops } from '../editions/workshops.ts';
import type { LtijsServices } from '../../lti/lti-tool.ts';
import { requireLaunch } from '../http/auth.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import { DEFAULT_LOCALE } from '../i18n/locales.ts';
import { chooseContent, selectionView } from './deep-linking.service.ts';

const SelectionForm = z.object({
  items: z.union([z.string(), z.array(z.string())]).optional(),
  graded: z.literal('on').optional(),
});

export function deepLinkingRouter(deps: { db: Db; config: Config; workshops: Workshops; lti: LtijsServices }): Router {
  const r = Router();

  r.get('/:cohortId/deep-linking', requireLaunch(deps.db, 'facilitator'), async (req, res) => {
    // The modules of the course's own edition: its cohort was pinned to it at its first launch.
    const { tenantId, cohortId } = req.launch!;
    const [workshop, cohort] = await Promise.all([deps.workshops.forCohort(tenantId, cohortId), cohorts.findCohort(deps.db, tenantId, cohortId)]);
    res.render('deep-linking/select', { title: req.i18n!.t('lti.deepLinking.title'), ...selectionView(req.i18n!, req.launch!, workshop, cohort?.language ?? DEFAULT_LOCALE) });
  });

  r.post('/:cohortId/deep-linking', requireLaunch(deps.db, 'facilitator'), async (req, res) => {
    const form = SelectionForm.parse(req.body ?? {});
    const chosen = [form.items ?? []].flat();
    const answer = await chooseContent({ ...deps, workshop: await deps.workshops.forCohort(req.launch!.tenantId, req.launch!.cohortId) }, req.i18n!, req.launch!, chosen, form.graded === 'on');
    res.render('deep-linking/return', { title: req.i18n!.t('lti.deepLinking.returning'), ...answer });
  });

  return r;
}

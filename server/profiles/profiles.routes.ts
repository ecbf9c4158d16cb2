// Profiles and the expert finder, for the cohort named in the URL.
import { Router, type Request, type Response } from 'express';
import * as cohorts from '../../models/cohorts.queries.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { requireLaunch } from '../http/auth.ts';
import { ExpertsQuery, PersonParams, ProfileForm } from './profiles.schemas.ts';
import { findExperts, openMemberProfile, openOwnProfile, saveProfile, type ProfilesDeps } from './profiles.service.ts';
import { expertsView, memberProfileView, ownProfileView } from './profiles.views.ts';

export function profilesRouter(deps: ProfilesDeps): Router {
  const r = Router();
  const member = requireLaunch(deps.db);
  const findCohort = async (req: Request) => {
    const { tenantId, cohortId } = req.launch!;
    const cohort = await (req.caches?.cohort(tenantId, cohortId) ?? cohorts.findCohort(deps.db, tenantId, cohortId));
    if (!cohort) throw new NotFoundError('cohort');
    return cohort;
  };

  r.get('/:cohortId/profile', member, async (req, res) => renderOwnProfile(req, res, 200, { saved: req.query.saved === 'profile' }));

  r.post('/:cohortId/profile', member, async (req, res) => {
    const form = ProfileForm.parse(req.body ?? {});
    try {
      await saveProfile(deps, req.launch!, form);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderOwnProfile(req, res, 400, { invalid: { error: err, form } });
    }
    // `saved=profile` also tells drafts.js to drop this form's browser copy (its key ends in /profile).
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/profile?saved=profile`);
  });

  r.get('/:cohortId/people/:personId', member, async (req, res) => {
    const params = PersonParams.safeParse(req.params);
    if (!params.success) throw new NotFoundError('person');
    const { personId } = params.data;
    const [cohort, { member: person, kudosCount, otherCohort }] = await Promise.all([findCohort(req), openMemberProfile(deps, req.launch!, personId)]);
    res.render('profiles/person', { title: person.name ?? 'Profile', ...memberProfileView(cohort, req.launch!, person, kudosCount), otherCohort });
  });

  r.get('/:cohortId/experts', member, async (req, res) => {
    const { q } = ExpertsQuery.parse(req.query);
    const cohort = await findCohort(req);
    try {
      const results = await findExperts(deps, req.launch!, q);
      res.render('profiles/experts', { title: 'Find an expert', ...expertsView(cohort, req.launch!, q, results) });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(400).render('profiles/experts', { title: 'Find an expert', ...expertsView(cohort, req.launch!, q, undefined, err) });
    }
  });

  async function renderOwnProfile(req: Request, res: Response, status: number, flash: Parameters<typeof ownProfileView>[3]) {
    const [cohort, data] = await Promise.all([findCohort(req), openOwnProfile(deps, req.launch!)]);
    res.status(status).render('profiles/own-profile', { title: 'Your profile', ...ownProfileView(cohort, req.launch!, data, flash) });
  }

  return r;
}

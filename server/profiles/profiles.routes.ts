// Profiles and the expert finder, for the cohort named in the URL.
import { msg } from '../i18n/i18n.ts';
import { textFor } from '../i18n/request-locale.ts';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors.ts';
import { requireLaunch } from '../http/auth.ts';
import { ExpertsQuery, PersonParams, ProfileForm } from './profiles.schemas.ts';
import { findExperts, openMemberProfile, openOwnProfile, saveProfile, type ProfilesDeps } from './profiles.service.ts';
import { expertsView, memberProfileView, ownProfileView } from './profiles.views.ts';
import { removeProfilePhoto, storeProfilePhoto, type MediaDeps } from '../media/media.service.ts';
import { readUploadForm } from '../media/upload-form.ts';
import { personPhotoUrls } from '../media/profile-photos.ts';
import { createPostingLimits } from '../discussions/discussions.routes.ts';
import { chooseLanguage, LanguageForm, languageChoiceView } from './language-choice.ts';
import { launchCohort } from '../http/launch-cohort.ts';

const RemovePhotoBody = z.object({ confirmed: z.literal('yes').optional() });

export function profilesRouter(deps: ProfilesDeps & { media: MediaDeps }): Router {
  const r = Router();
  const member = requireLaunch(deps.db);
  const postingLimits = createPostingLimits(deps.db);
  const findCohort = (req: Request) => launchCohort(deps.db, req);

  r.get('/:cohortId/profile', member, async (req, res) =>
    renderOwnProfile(req, res, 200, { saved: req.query.saved === 'profile', photoSaved: req.query.saved === 'photo', photoRemoved: req.query.saved === 'photo-removed' }),
  );

  // A profile photo: one picture, sent with the form's file input (it counts as a post for the rate limits).
  r.post('/:cohortId/profile/photo', member, ...postingLimits, async (req, res) => {
    const who = req.launch!;
    const upload = await readUploadForm(req, res, { maxFileBytes: deps.media.limits.maxBytes.image, maxFiles: 1, store: (file, name) => storeProfilePhoto(deps.media, who, file, name) });
    if (upload.refused) return renderOwnProfile(req, res, upload.refused.status, { photoError: textFor(req, upload.refused.userMessage) });
    if (upload.stored.length === 0) return renderOwnProfile(req, res, 400, { photoError: msg('profiles.photo.noneArrived') });
    res.redirect(303, `/cohorts/${who.cohortId}/profile?saved=photo#photo`);
  });

  r.post('/:cohortId/profile/photo/remove', member, async (req, res) => {
    const who = req.launch!;
    const { confirmed } = RemovePhotoBody.parse(req.body ?? {});
    if (!confirmed) return res.render('profiles/confirm-remove-photo', { title: req.i18n!.t('profiles.photo.confirmTitle'), cohort: { id: who.cohortId }, person: { name: who.displayName }, backHref: `/cohorts/${who.cohortId}/profile#photo` });
    await removeProfilePhoto(deps, who);
    res.redirect(303, `/cohorts/${who.cohortId}/profile?saved=photo-removed#photo`);
  });

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

  // The person's language: saved, then every launch of theirs in this session speaks it from the next page.
  r.post('/:cohortId/profile/language', member, async (req, res) => {
    const who = req.launch!;
    const locale = await chooseLanguage(deps.db, who, LanguageForm.parse(req.body ?? {}));
    for (const launch of Object.values(req.user?.launches ?? {})) {
      if (launch.tenantId === who.tenantId && launch.personId === who.personId) launch.locale = locale;
    }
    res.redirect(303, `/cohorts/${who.cohortId}/profile?saved=language#language`);
  });

  r.get('/:cohortId/people/:personId', member, async (req, res) => {
    const params = PersonParams.safeParse(req.params);
    if (!params.success) throw new NotFoundError('person');
    const { personId } = params.data;
    // The photo is looked up alongside; shown only once openMemberProfile has found them, and only of
    // someone in this cohort (the photo route serves a person's photo to members of their cohorts).
    const [cohort, { member: person, kudosCount, otherCohort }, photos] = await Promise.all([findCohort(req), openMemberProfile(deps, req.launch!, personId), personPhotoUrls(deps.db, req.launch!, [personId], 'full')]);
    res.render('profiles/person', { title: person.name ?? req.i18n!.t('profiles.person.title'), ...memberProfileView(cohort, req.launch!, person, kudosCount, otherCohort ? undefined : photos.get(personId)), otherCohort });
  });

  r.get('/:cohortId/experts', member, async (req, res) => {
    const { q } = ExpertsQuery.parse(req.query);
    const cohort = await findCohort(req);
    try {
      const results = await findExperts(deps, req.launch!, q);
      // Photos of this cohort's people only: the photo route answers 404 for someone of another cohort.
      const photos = await personPhotoUrls(deps.db, req.launch!, (results ?? []).filter((x) => x.inCohort).map((x) => x.personId));
      res.render('profiles/experts', { title: req.i18n!.t('profiles.experts.title'), ...expertsView(cohort, req.launch!, q, results, undefined, photos) });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(400).render('profiles/experts', { title: req.i18n!.t('profiles.experts.title'), ...expertsView(cohort, req.launch!, q, undefined, err) });
    }
  });

  async function renderOwnProfile(req: Request, res: Response, status: number, flash: Parameters<typeof ownProfileView>[3]) {
    const [cohort, data, language] = await Promise.all([findCohort(req), openOwnProfile(deps, req.launch!), languageChoiceView(deps.db, req.launch!)]);
    res.status(status).render('profiles/own-profile', { title: req.i18n!.t('profiles.own.title'), ...ownProfileView(cohort, req.launch!, data, flash), language: { ...language, saved: req.query.saved === 'language' } });
  }

  return r;
}

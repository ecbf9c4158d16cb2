// A module's page and its activity forms, for the cohort named in the URL.
import { Router, type Request, type Response } from 'express';
import * as cohorts from '../../models/cohorts.queries.ts';
import { NotFoundError } from '../errors.ts';
import { requireLaunch } from '../http/auth.ts';
import { z } from 'zod';
import { ActivityForm, ActivityParams, ModuleParams } from './modules.schemas.ts';
import { activityDraftTarget, assertCanAttachToActivity, openModule, saveActivity, type ModulesDeps } from './modules.service.ts';
import { modulePageView } from './modules.views.ts';
import { storeUpload, type MediaDeps } from '../media/media.service.ts';
import { countingUploads, readUploadForm } from '../media/upload-form.ts';
import { createPostingLimits } from '../discussions/discussions.routes.ts';
import { attachmentPickerView } from '../media/attachment-view.ts';
import { ValidationError } from '../errors.ts';

/** The response's own files ticked to be removed. */
const RemoveFiles = z.object({ removeFile: z.union([z.uuid(), z.array(z.uuid())]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])) });
const MAX_FILES_PER_ACTIVITY = 10;

export function modulesRouter(deps: ModulesDeps & { media: MediaDeps }): Router {
  const r = Router();

  r.get('/:cohortId/modules/:moduleId', requireLaunch(deps.db), async (req, res) => {
    const { moduleId } = ModuleParams.parse(req.params);
    const q = req.query as Record<string, string | undefined>;
    await renderModule(req, res, moduleId, 200, { saved: q.saved, submitted: q.submitted, completed: q.completed === '1' });
  });

  const uploadLimits = countingUploads(createPostingLimits(deps.db));
  r.post('/:cohortId/modules/:moduleId/activities/:activityId', requireLaunch(deps.db), ...uploadLimits, async (req, res) => {
    const { moduleId, activityId } = ActivityParams.parse(req.params);
    const who = req.launch!;
    // Files (evidence of practice, a curation) wait as pending files of the form until the response is saved.
    if (req.is('multipart/form-data')) await assertCanAttachToActivity(deps, who, moduleId, activityId);
    const target = activityDraftTarget(moduleId, activityId);
    const upload = await readUploadForm(req, res, { maxFileBytes: Math.max(...Object.values(deps.media.limits.maxBytes)), maxFiles: MAX_FILES_PER_ACTIVITY, store: (file, name) => storeUpload(deps.media, who, target, file, name) });
    const form = ActivityForm.parse(upload.fields) as ActivityForm;
    // A file refused: nothing is saved, and the form comes back as typed with the files that arrived.
    if (upload.refused) return renderModule(req, res, moduleId, upload.refused.status, { invalid: { activityId, error: new ValidationError(upload.refused.userMessage), form } });
    const outcome = await saveActivity(deps, who, moduleId, activityId, form, RemoveFiles.parse(upload.fields).removeFile);
    if (outcome.kind === 'invalid') return renderModule(req, res, moduleId, 400, { invalid: { activityId, error: outcome.error, form } });
    const flag = outcome.kind === 'draft-saved' ? `saved=${activityId}` : `submitted=${activityId}${outcome.completedModule ? '&completed=1' : ''}`;
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/modules/${moduleId}?${flag}#${activityId}`);
  });

  async function renderModule(req: Request, res: Response, moduleId: number, status: number, flash: Parameters<typeof modulePageView>[4]) {
    const who = req.launch!;
    const cohort = await (req.caches?.cohort(who.tenantId, who.cohortId) ?? cohorts.findCohort(deps.db, who.tenantId, who.cohortId));
    if (!cohort) throw new NotFoundError('cohort');
    const m = await openModule(deps, who, moduleId, cohort);
    res.status(status).render('modules/module', { title: req.i18n!.t('modules.page.title', { number: m.module.id, title: m.module.title }), picker: attachmentPickerView([], deps.media.limits.maxBytes), ...modulePageView(req.i18n!, who, cohort, m, flash) });
  }

  return r;
}

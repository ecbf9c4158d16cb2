// A group's norms page: read by the group and the cohort's facilitators, edited by the group.
import { textFor } from '../i18n/request-locale.ts';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import { requireLaunch } from '../http/auth.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { MAX_NORM_LENGTH, MAX_NORMS, ownGroup, readGroupNorms, saveGroupNorms } from './group-norms.service.ts';

const NormsParams = z.object({ cohortId: z.uuid(), groupId: z.uuid() });
const NormsForm = z.object({ norms: z.string().max(10_000).default(''), baseVersion: z.coerce.number().int().min(0).max(1_000_000).default(0) });

export function groupNormsRouter(deps: { db: Db }): Router {
  const r = Router();
  const member = requireLaunch(deps.db);

  // From module 4 and the hub: the learner's own group's norms.
  r.get('/:cohortId/norms', member, async (req, res) => {
    const who = req.launch!;
    if (who.role === 'facilitator') return res.redirect(303, `/cohorts/${who.cohortId}/console/groups`);
    const group = await ownGroup(deps.db, who);
    if (!group) return res.render('discussions/no-group', { title: req.i18n!.t('groups.noGroup.title'), cohort: { id: who.cohortId }, person: { name: who.displayName } });
    res.redirect(303, `/cohorts/${who.cohortId}/groups/${group.id}/norms`);
  });

  r.get('/:cohortId/groups/:groupId/norms', member, async (req, res) => render(req, res, 200));

  r.post('/:cohortId/groups/:groupId/norms', member, async (req, res) => {
    const params = NormsParams.safeParse(req.params);
    if (!params.success) throw new NotFoundError('group');
    const form = NormsForm.parse(req.body ?? {});
    try {
      await saveGroupNorms(deps.db, req.launch!, params.data.groupId, { text: form.norms, baseVersion: form.baseVersion });
    } catch (err) {
      if (err instanceof ValidationError) return render(req, res, 400, { error: textFor(req, err.userMessage), text: form.norms });
      if (err instanceof ConflictError) return render(req, res, 409, { error: textFor(req, err.userMessage), text: form.norms });
      throw err;
    }
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/groups/${params.data.groupId}/norms?saved=1`);
  });

  /** Renders the page; after a refused save, `flash.text` is what was typed, and the base version is the current one. */
  async function render(req: Request, res: Response, status: number, flash?: { error: string; text: string }) {
    const params = NormsParams.safeParse(req.params);
    if (!params.success) throw new NotFoundError('group');
    const who = req.launch!;
    const n = await readGroupNorms(deps.db, who, params.data.groupId);
    res.status(status).render('groups/norms', {
      title: req.i18n!.t('groups.norms.pageTitle', { group: n.group.name }),
      cohort: { id: who.cohortId },
      person: { name: who.displayName },
      group: { name: n.group.name },
      norms: n.norms,
      version: n.version,
      edited: n.editedAt ? { by: n.editedBy, at: n.editedAt } : undefined,
      canEdit: n.canEdit,
      saved: req.query.saved === '1' && !flash,
      error: flash?.error,
      errorSummary: flash ? [{ field: 'norms', message: flash.error }] : [],
      text: flash?.text ?? n.norms.join('\n'),
      limits: { count: MAX_NORMS, length: MAX_NORM_LENGTH },
      spaceHref: `/cohorts/${who.cohortId}/modules/4/space`,
    });
  }

  return r;
}

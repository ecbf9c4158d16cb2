// The console's edition page: which version of the workshop the cohort runs, a preview of a newer
// one, and the move (facilitators of the cohort only).
import { msg } from '../i18n/i18n.ts';
import { Router } from 'express';
import { z } from 'zod';
import { requireLaunch } from '../http/auth.ts';
import { ValidationError } from '../errors.ts';
import { editionChoices, moveCohort, previewMove, type MovesDeps } from './edition-moves.service.ts';
import { moveView } from './edition-moves.views.ts';
import { CohortLanguageForm, cohortLanguageView, setCohortLanguage } from './cohort-language.ts';
import { LOCALE_NAMES, type Locale } from '../i18n/locales.ts';

const PreviewQuery = z.object({ to: z.uuid().optional(), moved: z.string().optional() });
const MoveForm = z.object({ versionId: z.uuid() });

export function editionMovesRouter(deps: MovesDeps): Router {
  const r = Router();
  const facilitator = requireLaunch(deps.db, 'facilitator');

  r.get('/:cohortId/console/edition', facilitator, async (req, res) => {
    const q = PreviewQuery.safeParse(req.query);
    if (!q.success) throw new ValidationError(msg('editionMoves.chooseNewer'));
    const who = req.launch!;
    const choices = await editionChoices(deps, who);
    const preview = q.data.to ? await previewMove(deps, who, choices, q.data.to) : undefined;
    res.render('editions/move', { title: req.i18n!.t('editionMoves.title'), ...moveView(who.cohortId, choices, preview, q.data.moved === '1'), language: { ...cohortLanguageView(who, choices.cohort), saved: req.query.language === 'saved' } });
  });

  // The cohort's language: a confirmation first (module texts change; answers stay as written).
  r.post('/:cohortId/console/language', facilitator, async (req, res) => {
    const who = req.launch!;
    const form = CohortLanguageForm.parse(req.body ?? {});
    if (!form.confirmed) {
      const choices = await editionChoices(deps, who);
      return res.render('editions/move', { title: req.i18n!.t('editionMoves.title'), ...moveView(who.cohortId, choices, undefined, false), language: { ...cohortLanguageView(who, choices.cohort), confirm: { value: form.language, name: LOCALE_NAMES[form.language as Locale] ?? form.language } } });
    }
    await setCohortLanguage(deps.db, who, form.language);
    res.redirect(303, `/cohorts/${who.cohortId}/console/edition?language=saved#language`);
  });

  r.post('/:cohortId/console/edition', facilitator, async (req, res) => {
    const form = MoveForm.safeParse(req.body ?? {});
    if (!form.success) throw new ValidationError(msg('editionMoves.chooseNewer'));
    await moveCohort(deps, req.launch!, form.data.versionId);
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/console/edition?moved=1`);
  });

  return r;
}

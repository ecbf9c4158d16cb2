// POST /lti/window: the "Open Circlework in a new window" button of a launch whose LMS frame keeps no
// cookie. It opens a top-level window (first-party, so our session cookie is kept there), takes the
// one-use hand-over and continues on the page the launch was going to.
import express, { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import type { Config } from '../config.ts';
import { startSession } from './launch.ts';
import { isSameOriginPost } from '../../lti/same-origin.ts';
import { takeHandover, type HandoverDeps } from './window-handover.ts';

const HandoverForm = z.object({ handover: z.string().min(1).max(200) });

export function windowHandoverRouter(deps: HandoverDeps & { config: Config }): Router {
  const r = Router();
  r.post('/window', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    // Only our own launch page sends this form: from anywhere else it would sign a browser in as
    // someone else's launch (login CSRF), so a cross-origin or origin-less POST is refused.
    if (!isSameOriginPost(req, deps.config.publicUrl.origin)) {
      throw new AppError(403, 'handover-origin', msg('lti.handover.origin'));
    }
    const form = HandoverForm.safeParse(req.body ?? {});
    if (!form.success) throw new AppError(400, 'handover-missing', msg('lti.handover.invalid'));
    const { launch, returnTo } = await takeHandover(deps, form.data.handover);
    await startSession(req, launch);
    res.redirect(303, returnTo);
  });
  return r;
}

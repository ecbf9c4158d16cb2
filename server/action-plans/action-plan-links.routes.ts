// Pages reached by an emailed link, without a launch: signing in after the course (a GET only asks,
// since mail scanners follow links; the POST uses the link), a manager's view of a shared plan, and
// a new link for one that expired or was used. Expired/used/revoked → 410 page; unknown → 404.
// Also the page where anyone asks for a sign-in link by email address (same answer whatever the address).
import { msg } from '../i18n/i18n.ts';
import { NO_NAME } from '../notifications/notification-text.ts';
import { Router, type ErrorRequestHandler, type Request } from 'express';
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { issueCsrfToken } from '../http/csrf.ts';
import { createRateLimit } from '../http/rate-limit.ts';
import type { ActionPlansDeps } from './action-plans.service.ts';
import { findManagerViewFile, openManagerView, recordManagerResponse, stopManagerEmails } from './manager-invites.service.ts';
import type { MediaDeps } from '../media/media.service.ts';
import { sendAttachment } from '../media/media.routes.ts';
import { attachmentView } from '../media/attachment-view.ts';
import { SignInRequestForm } from './action-plans.schemas.ts';
import { checkSignInLink, renewLink, requestSignInLinks, signInWithLink } from './sign-in-links.service.ts';
import { LinkEndedError } from './signed-links.ts';

const Purpose = z.enum(['sign-in', 'manager']);
const ManagerFileParams = z.object({ attachmentId: z.uuid(), variant: z.enum(['full', 'thumb']) });
const ManagerForm = z.object({ body: z.string().default(''), checkInId: z.union([z.uuid(), z.literal('')]).default('') });

export function actionPlanLinksRouter(deps: ActionPlansDeps & { media: MediaDeps }): Router {
  const r = Router();
  const token = (req: Request) => String(req.params.token);
  const renewLimit = createRateLimit({ db: deps.db, name: 'link-renewal', windowMs: 3600_000, limit: 3, key: (req) => token(req).slice(0, 60), message: msg('limits.linkRenewal') });

  // Per address and per IP, counted whether or not the address is known (a 429 tells nothing either).
  const requestByAddress = createRateLimit({ db: deps.db, name: 'sign-in-request-address', windowMs: 3600_000, limit: 3, key: (req) => String((req.body as { email?: unknown } | undefined)?.email ?? '').trim().toLowerCase().slice(0, 254), message: msg('limits.signInAddress') });
  const requestByIp = createRateLimit({ db: deps.db, name: 'sign-in-request-ip', windowMs: 3600_000, limit: 30, message: msg('limits.signInNetwork') });

  r.get('/request', (req, res) => {
    issueCsrfToken(req, res);
    res.render('action-plans/request-link', { title: req.i18n!.t('plans.requestLink.title'), sent: req.query.sent === '1' });
  });
  r.post('/request', requestByIp, requestByAddress, async (req, res) => {
    const { email } = SignInRequestForm.parse(req.body ?? {});
    try {
      await requestSignInLinks(deps, email);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      issueCsrfToken(req, res);
      return res.status(400).render('action-plans/request-link', { title: req.i18n!.t('plans.requestLink.title'), error: err.userMessage, email });
    }
    res.redirect(303, '/action-plans/links/request?sent=1');
  });

  r.get('/sign-in/:token', async (req, res) => {
    await checkSignInLink(deps, token(req));
    issueCsrfToken(req, res);
    res.render('action-plans/sign-in', { title: req.i18n!.t('plans.signIn.title'), action: req.originalUrl.split('?')[0] });
  });
  r.post('/sign-in/:token', async (req, res) => {
    const { context, returnTo } = await signInWithLink(deps, token(req));
    const kept = req.session.actionPlanLaunches ?? {};
    const user = req.user ?? { launches: {} };
    // A fresh session id (login regenerates it); earlier LTI launches and email sign-ins are kept.
    await new Promise<void>((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
    req.session.actionPlanLaunches = { ...kept, [context.cohortId]: context };
    res.redirect(303, returnTo);
  });
  r.post('/renew/:purpose/:token', renewLimit, async (req, res) => {
    const purpose = Purpose.parse(req.params.purpose);
    await renewLink(deps, token(req), purpose === 'manager' ? 'manager-view' : 'sign-in');
    res.render('action-plans/link-renewed', { title: req.i18n!.t('plans.linkRenewed.title') });
  });

  r.get('/manager/:token', async (req, res) => {
    const view = await openManagerView(deps, token(req));
    issueCsrfToken(req, res);
    res.render('action-plans/manager', { title: req.i18n!.t('plans.plan.title', { name: view.plan.ownerName ?? NO_NAME }), ...managerView(view, token(req)), action: req.originalUrl.split('?')[0], done: req.query.done });
  });
  for (const kind of ['comment', 'acknowledged', 'conversation'] as const) {
    r.post(`/manager/:token/${kind}`, async (req, res) => {
      const form = ManagerForm.parse(req.body ?? {});
      try {
        await recordManagerResponse(deps, token(req), kind, form.body, form.checkInId || null);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const view = await openManagerView(deps, token(req));
        issueCsrfToken(req, res);
        // the error sits with the form that was sent: the comment, or the conversation's note
        const field = kind === 'conversation' ? 'conversation-note' : 'body';
        return res.status(400).render('action-plans/manager', {
          title: req.i18n!.t('plans.plan.title', { name: view.plan.ownerName ?? NO_NAME }), ...managerView(view, token(req)), action: `/action-plans/links/manager/${token(req)}`, body: form.body,
          ...(kind === 'conversation' ? { conversationError: err.userMessage } : { commentError: err.userMessage }),
          errorSummary: [{ field, message: err.userMessage }],
        });
      }
      res.redirect(303, `/action-plans/links/manager/${token(req)}?done=${kind}`);
    });
  }
  // A file of a shared check-in, behind the same link (the manager has no session of ours).
  r.get('/manager/:token/files/:attachmentId/:variant', async (req, res) => {
    const { attachmentId, variant } = ManagerFileParams.parse(req.params);
    const { tenantId, file } = await findManagerViewFile(deps, token(req), attachmentId);
    await sendAttachment(req, res, deps.media, tenantId, file, variant);
  });
  r.post('/manager/:token/stop-emails', async (req, res) => {
    await stopManagerEmails(deps, token(req));
    res.redirect(303, `/action-plans/links/manager/${token(req)}?done=stopped`);
  });

  // An ended link gets its own page: why, and (unless withdrawn) a button for a new one.
  const ended: ErrorRequestHandler = (err, req, res, next) => {
    if (!(err instanceof LinkEndedError)) return next(err);
    issueCsrfToken(req, res);
    const purpose = err.link.purpose === 'manager-view' ? 'manager' : 'sign-in';
    res.status(410).render('action-plans/link-ended', { title: req.i18n!.t('plans.link.endedTitle'), message: err.userMessage, reason: err.reason, renewable: err.renewable, renewAction: `/action-plans/links/renew/${purpose}/${err.token}`, requestable: purpose === 'sign-in' });
  };
  r.use(ended);
  return r;
}

function managerView(view: Awaited<ReturnType<typeof openManagerView>>, token: string) {
  const fileHref = (id: string, hash: string | null) => (variant: 'full' | 'thumb') => `/action-plans/links/manager/${token}/files/${id}/${variant}${hash ? `?v=${hash.slice(0, 16)}` : ''}`;
  return {
    ownerName: view.plan.ownerName ?? NO_NAME,
    goals: view.plan.goals.map((g, i) => ({ number: i + 1, ...g })),
    checkIns: view.checkIns.map((c) => ({
      id: c.id, seq: c.seq, on: c.createdAt, journal: c.journal, entries: c.entries.map((e) => ({ text: e.text, note: e.note, status: e.status })),
      files: c.files.map((f) => attachmentView({ cohortId: '', role: 'reader' }, f, fileHref(f.id, f.contentHash))),
    })),
    comments: view.comments.map((c) => ({ kind: c.kind, body: c.body, on: c.createdAt })),
    acknowledged: Boolean(view.invite.acknowledgedAt),
    emailsStopped: Boolean(view.invite.emailsStoppedAt),
  };
}

// The tool admin's console: sign in, list/approve/disable platforms, add one by hand, manage deployments.
import { msg } from '../i18n/i18n.ts';
import { Router, type Request, type Response, type NextFunction } from 'express';
import type passport from 'passport';
import type { Db } from '../../models/db.ts';
import * as platformQueries from '../../models/platforms.queries.ts';
import { listTenantCounts } from '../../models/retention.queries.ts';
import * as platformService from '../platforms/platforms.service.ts';
import { AppError, NotFoundError, ValidationError } from '../errors.ts';
import { requireAdmin } from '../http/auth.ts';
import { issueCsrfToken } from '../http/csrf.ts';
import { createRateLimit } from '../http/rate-limit.ts';
import * as S from './admin.schemas.ts';
import { confirmDisableView, platformView, platformListView } from './admin.views.ts';
import { errorSummary } from '../http/error-summary.ts';

export function adminRouter(deps: { db: Db; ltiEncryptionKey: string; passport: passport.PassportStatic }): Router {
  const r = Router();
  const svc = { db: deps.db, ltiEncryptionKey: deps.ltiEncryptionKey };

  r.get('/login', (req, res) => {
    issueCsrfToken(req, res);
    res.render('admin/login', { title: req.i18n!.t('admin.login.title'), next: safeNext(req.query.next) });
  });

  // Failed sign-ins only, per address: a slow brute force stays slow, a forgetful admin is not locked out for long.
  const loginLimit = createRateLimit({ db: deps.db, name: 'admin-login', windowMs: 15 * 60_000, limit: 10, skipSuccessfulRequests: true, message: msg('limits.adminLogin') });

  r.post('/login', loginLimit, (req: Request, res: Response, next: NextFunction) => {
    const body = S.LoginBody.parse(req.body ?? {});
    deps.passport.authenticate('admin-local', (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      if (!user) {
        issueCsrfToken(req, res);
        return res.status(401).render('admin/login', {
          title: req.i18n!.t('admin.login.title'),
          email: body.email,
          next: safeNext(body.next),
          error: msg('admin.login.refused'),
          errorSummary: [{ field: 'email', message: msg('admin.login.refused') }],
        });
      }
      req.login(user, (loginErr) => (loginErr ? next(loginErr) : res.redirect(303, safeNext(body.next))));
    })(req, res, next);
  });

  r.post('/logout', (req, res, next) => {
    req.logout((err) => (err ? next(err) : res.redirect(303, '/admin/login')));
  });

  r.use(requireAdmin);

  r.get('/', async (req, res) => {
    res.render('admin/platforms', { title: req.i18n!.t('admin.platforms.pageTitle'), ...platformListView(await platformQueries.listPlatforms(deps.db)) });
  });

  r.get('/platforms/new', (req, res) => {
    res.render('admin/platform-new', { title: req.i18n!.t('admin.newPlatform.pageTitle'), form: S.NewPlatformForm.parse({}) });
  });

  r.post('/platforms', async (req, res) => {
    const form = S.NewPlatformForm.parse(req.body ?? {});
    try {
      const platform = await platformService.registerPlatform(
        svc,
        { ...form, authorizationServer: form.authorizationServer || undefined, deploymentIds: S.lines(form.deploymentIds) },
        { status: form.status, registeredVia: 'manual' },
      );
      res.redirect(303, `/admin/platforms/${platform.id}?added=1`);
    } catch (err) {
      if (!(err instanceof ValidationError) && !(err instanceof AppError && err.status === 409)) throw err;
      const fieldErrors = err instanceof ValidationError ? err.fieldErrors : {};
      const errorSummaryItems = errorSummary({ userMessage: err.userMessage, fieldErrors }, (key) => key.split('.')[0], 'platform-form');
      res.status(err.status).render('admin/platform-new', { title: req.i18n!.t('admin.newPlatform.pageTitle'), form, fieldErrors, error: err.userMessage, errorSummary: errorSummaryItems });
    }
  });

  r.get('/platforms/:platformId', async (req, res) => {
    const { platformId } = S.PlatformParams.parse(req.params);
    const platform = await platformQueries.findPlatform(deps.db, platformId);
    if (!platform) throw new NotFoundError('platform');
    const tenants = await platformQueries.listTenantsOfPlatform(deps.db, platformId);
    const counts = await listTenantCounts(deps.db, tenants.map((t) => t.id));
    res.render('admin/platform', { title: platform.name, ...platformView(platform, tenants, counts), added: req.query.added === '1' });
  });

  r.post('/platforms/:platformId/status', async (req, res) => {
    const { platformId } = S.PlatformParams.parse(req.params);
    const { status, confirmed } = S.StatusBody.parse(req.body ?? {});
    if (status === 'disabled' && !confirmed) {
      const platform = await platformQueries.findPlatform(deps.db, platformId);
      if (!platform) throw new NotFoundError('platform');
      return res.render('admin/confirm', confirmDisableView(req.i18n!, `/admin/platforms/${platformId}`, 'platform', req.i18n!.t('admin.disable.platformMessage', { name: platform.name })));
    }
    await platformService.setPlatformStatus(svc, platformId, status);
    res.redirect(303, `/admin/platforms/${platformId}`);
  });

  r.post('/platforms/:platformId/policy', async (req, res) => {
    const { platformId } = S.PlatformParams.parse(req.params);
    const { deploymentPolicy } = S.PolicyBody.parse(req.body ?? {});
    await platformService.setDeploymentPolicy(svc, platformId, deploymentPolicy);
    res.redirect(303, `/admin/platforms/${platformId}`);
  });

  r.post('/platforms/:platformId/frame-origins', async (req, res) => {
    const { platformId } = S.PlatformParams.parse(req.params);
    const { frameOrigins } = S.FrameOriginsBody.parse(req.body ?? {});
    await platformService.setFrameOrigins(svc, platformId, S.lines(frameOrigins));
    res.redirect(303, `/admin/platforms/${platformId}`);
  });

  r.post('/platforms/:platformId/deployments', async (req, res) => {
    const { platformId } = S.PlatformParams.parse(req.params);
    const { deploymentId } = S.DeploymentBody.parse(req.body ?? {});
    await platformService.addDeployment(svc, platformId, deploymentId);
    res.redirect(303, `/admin/platforms/${platformId}`);
  });

  r.post('/platforms/:platformId/deployments/:tenantId/language', async (req, res) => {
    const { platformId, tenantId } = S.DeploymentParams.parse(req.params);
    const { defaultLocale } = S.DefaultLocaleBody.parse(req.body ?? {});
    await platformService.setDeploymentDefaultLocale(svc, platformId, tenantId, defaultLocale);
    res.redirect(303, `/admin/platforms/${platformId}`);
  });

  r.post('/platforms/:platformId/deployments/:tenantId/status', async (req, res) => {
    const { platformId, tenantId } = S.DeploymentParams.parse(req.params);
    const { status, confirmed } = S.StatusBody.parse(req.body ?? {});
    if (status === 'disabled' && !confirmed) {
      return res.render('admin/confirm', confirmDisableView(req.i18n!, `/admin/platforms/${platformId}/deployments/${tenantId}`, 'deployment', req.i18n!.t('admin.disable.deploymentMessage'), `/admin/platforms/${platformId}`));
    }
    await platformService.setDeploymentStatus(svc, platformId, tenantId, status);
    res.redirect(303, `/admin/platforms/${platformId}`);
  });

  return r;
}

/** Only our own admin pages are valid targets after sign-in (no open redirect). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/admin(\/[\w\-/?=&%.]*)?$/.test(next) ? next : '/admin';
}

// Erasure: the person's own page under their profile, and the tool admin's per deployment (find a
// person, erase them; the deployment's policy for erased people's posts). Thin: parse, call the
// service, respond.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import * as q from '../../models/erasure.queries.ts';
import * as retention from '../../models/retention.queries.ts';
import { requireAdmin, requireLaunch } from '../http/auth.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { errorSummary } from '../http/error-summary.ts';
import { ADMIN_ERASE_PHRASE, checkConfirmation, ERASE_PHRASE, erasePerson, setPostsOnErasure, type ErasureDeps } from './erasure.service.ts';
import { adminPersonEraseView, adminTenantView, ownEraseView } from './erasure.views.ts';
import { setRetentionMonths } from './retention.service.ts';
import { retentionView } from './retention.views.ts';

const ConfirmForm = z.object({ phrase: z.string().max(200).catch(''), understood: z.string().max(10).optional() });
const TenantParams = z.object({ tenantId: z.uuid() });
const PersonParams = z.object({ tenantId: z.uuid(), personId: z.uuid() });
const SearchQuery = z.object({ q: z.string().trim().max(200).catch('') });
const PolicyForm = z.object({ postsOnErasure: z.enum(['keep', 'delete']) });
const RetentionForm = z.object({ retentionMonths: z.string().trim().max(10).catch('') });

const confirmation = (req: Request) => {
  const form = ConfirmForm.parse(req.body ?? {});
  return { typed: form.phrase, understood: form.understood === 'yes' };
};
const formErrors = (err: ValidationError) => ({ fieldErrors: err.fieldErrors, error: err.userMessage, errorSummary: errorSummary(err, (k) => (k === 'understood' ? 'understood' : 'phrase'), 'erase-form') });

/** Under /cohorts: the person's own erasure, from their profile. */
export function ownErasureRouter(deps: ErasureDeps): Router {
  const r = Router();
  const member = requireLaunch(deps.db);
  const render = async (req: Request, res: Response, status: number, extra: object = {}) =>
    res.status(status).render('privacy/erase', { title: req.i18n!.t('privacy.erase.title'), ...ownEraseView(req.i18n!, req.launch!, await q.findPostsOnErasure(deps.db, req.launch!.tenantId)), ...extra });

  r.get('/:cohortId/profile/erase', member, (req, res) => render(req, res, 200));

  r.post('/:cohortId/profile/erase', member, async (req, res) => {
    const who = req.launch!;
    try {
      // The phrase in the page's language; the English one is accepted too.
      const localized = req.i18n!.t('privacy.erase.phrase');
      const form = confirmation(req);
      checkConfirmation(form.typed.trim().toLowerCase() === ERASE_PHRASE ? ERASE_PHRASE : localized, localized, form);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return render(req, res, 400, formErrors(err));
    }
    await erasePerson(deps, { by: 'person', who }, who.personId);
    // Their sessions were deleted with them; this one must not be saved again on the way out.
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.render('privacy/erase-done', { title: req.i18n!.t('privacy.erase.doneTitle'), returnToCourse: who.returnUrl });
  });
  return r;
}

/** Under /admin/tenants: a deployment's people and data, for the tool admin. */
export function adminErasureRouter(deps: ErasureDeps & { now: () => Date }): Router {
  const r = Router();
  r.use(requireAdmin);
  const tenantOf = async (params: unknown) => {
    const p = TenantParams.safeParse(params);
    const tenant = p.success ? await q.findAdminTenant(deps.db, p.data.tenantId) : undefined;
    if (!tenant) throw new NotFoundError('deployment');
    return tenant;
  };
  const personOf = async (params: unknown) => {
    const p = PersonParams.safeParse(params);
    const tenant = await tenantOf(params);
    const person = p.success ? await q.findTenantPerson(deps.db, tenant.id, p.data.personId) : undefined;
    if (!person) throw new NotFoundError('person');
    return { tenant, person };
  };

  const renderTenant = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const tenant = await tenantOf(req.params);
    const { q: search } = SearchQuery.parse(req.query);
    const [policy, people, erasures, months, counts, retained] = await Promise.all([
      q.findPostsOnErasure(deps.db, tenant.id),
      search ? q.findPeople(deps.db, tenant.id, search) : undefined,
      q.listErasures(deps.db, tenant.id),
      retention.findRetentionMonths(deps.db, tenant.id),
      retention.listTenantCounts(deps.db, [tenant.id]),
      retention.listRetentionErasures(deps.db, tenant.id),
    ]);
    const expiries = months ? await retention.listCohortExpiries(deps.db, tenant.id, months, { limit: 20 }) : [];
    res.status(status).render('privacy/erase-admin-tenant', {
      title: req.i18n!.t('privacy.admin.tenantTitle', { deployment: tenant.deploymentId }),
      ...adminTenantView(tenant, policy, search, people, erasures),
      retention: retentionView(months, counts[0], expiries, retained, deps.now()),
      erased: req.query.erased === '1',
      saved: req.query.saved === '1',
      ...extra,
    });
  };
  r.get('/:tenantId', (req, res) => renderTenant(req, res, 200));

  r.post('/:tenantId/retention', async (req, res) => {
    const tenant = await tenantOf(req.params);
    const { retentionMonths } = RetentionForm.parse(req.body ?? {});
    try {
      await setRetentionMonths(deps.db, tenant.id, retentionMonths === '' ? null : /^\d+$/.test(retentionMonths) ? Number(retentionMonths) : NaN);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderTenant(req, res, 400, { retentionError: err.userMessage, errorSummary: errorSummary(err, () => 'retentionMonths', 'retention-form') });
    }
    res.redirect(303, `/admin/tenants/${tenant.id}?saved=1#retention`);
  });

  r.post('/:tenantId/erasure-policy', async (req, res) => {
    const tenant = await tenantOf(req.params);
    const { postsOnErasure } = PolicyForm.parse(req.body ?? {});
    await setPostsOnErasure(deps.db, tenant.id, postsOnErasure);
    res.redirect(303, `/admin/tenants/${tenant.id}?saved=1`);
  });

  r.get('/:tenantId/people/:personId/erase', async (req, res) => {
    const { tenant, person } = await personOf(req.params);
    res.render('privacy/erase-admin-person', { title: req.i18n!.t('privacy.admin.eraseTitle'), ...adminPersonEraseView(tenant, person, await q.findPostsOnErasure(deps.db, tenant.id)) });
  });

  r.post('/:tenantId/people/:personId/erase', async (req, res) => {
    const { tenant, person } = await personOf(req.params);
    try {
      checkConfirmation(ADMIN_ERASE_PHRASE, ADMIN_ERASE_PHRASE, confirmation(req));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return res.status(400).render('privacy/erase-admin-person', { title: req.i18n!.t('privacy.admin.eraseTitle'), ...adminPersonEraseView(tenant, person, await q.findPostsOnErasure(deps.db, tenant.id)), ...formErrors(err) });
    }
    await erasePerson(deps, { by: 'tool-admin', adminUserId: req.user!.adminId!, tenantId: tenant.id }, person.id);
    res.redirect(303, `/admin/tenants/${tenant.id}?erased=1`);
  });
  return r;
}

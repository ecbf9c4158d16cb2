// The tool admin's pages of a deployment's named roles, one per role under /admin/tenants/:tenantId/
// (programme-leads, content-editors): name someone by email or LMS user id, remove someone (after a
// confirmation page).
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../models/db.ts';
import { findAdminTenant } from '../../models/erasure.queries.ts';
import * as namedRoles from '../../models/named-roles.queries.ts';
import type { NamedRole } from '../../models/schema.ts';
import { AppError, NotFoundError, ValidationError } from '../errors.ts';
import { requireAdmin } from '../http/auth.ts';
import { errorSummary } from '../http/error-summary.ts';
import { nameToRole, removeFromRole, ROLE_NOUN } from './named-roles.service.ts';
import { NameForm, NamedParams, RemoveForm, TenantParams } from './named-roles.schemas.ts';
import { NAMED_ROLE_PAGES, namedRolesBase, namedRolesPageView, removeNamedView } from './named-roles.views.ts';
import { msg } from '../i18n/i18n.ts';

export function adminNamedRolesRouter(deps: { db: Db }): Router {
  const r = Router();
  r.use(requireAdmin);
  const tenantOf = async (params: unknown) => {
    const p = TenantParams.safeParse(params);
    const tenant = p.success ? await findAdminTenant(deps.db, p.data.tenantId) : undefined;
    if (!tenant) throw new NotFoundError('deployment');
    return tenant;
  };
  const render = async (role: NamedRole, req: Request, res: Response, status: number, extra: object = {}) => {
    const tenant = await tenantOf(req.params);
    const named = await namedRoles.listNamedRoles(deps.db, tenant.id, role);
    res.status(status).render('admin/named-roles', { ...namedRolesPageView(req.i18n!, role, tenant, named, { added: req.query.added === '1', removed: req.query.removed === '1' }), ...extra });
  };

  for (const role of Object.keys(NAMED_ROLE_PAGES) as NamedRole[]) {
    const path = `/:tenantId/${NAMED_ROLE_PAGES[role].path}`;

    r.get(path, (req, res) => render(role, req, res, 200));

    r.post(path, async (req, res) => {
      const tenant = await tenantOf(req.params);
      const form = NameForm.safeParse(req.body ?? {});
      if (!form.success) throw new ValidationError(msg('admin.roles.formInvalid'));
      try {
        await nameToRole(deps.db, tenant.id, role, form.data);
      } catch (err) {
        if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
        const summary = errorSummary({ userMessage: err.userMessage, fieldErrors: { value: err.userMessage } }, () => 'value', `${NAMED_ROLE_PAGES[role].one}-form`);
        return render(role, req, res, err.status, { form: form.data, error: err.userMessage, errorSummary: summary });
      }
      res.redirect(303, `${namedRolesBase(tenant.id, role)}?added=1`);
    });

    r.post(`${path}/:namedId/remove`, async (req, res) => {
      const params = NamedParams.safeParse(req.params);
      if (!params.success) throw new NotFoundError(ROLE_NOUN[role]);
      const tenant = await tenantOf(req.params);
      const named = await namedRoles.findNamedRole(deps.db, tenant.id, role, params.data.namedId);
      if (!named) throw new NotFoundError(ROLE_NOUN[role]);
      if (!RemoveForm.parse(req.body ?? {}).confirmed) return res.render('admin/confirm', removeNamedView(req.i18n!, role, tenant.id, named));
      await removeFromRole(deps.db, tenant.id, role, named.id);
      res.redirect(303, `${namedRolesBase(tenant.id, role)}?removed=1`);
    });
  }

  return r;
}

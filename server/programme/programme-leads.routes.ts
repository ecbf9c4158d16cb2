// The tool admin's page of a deployment's programme leads, under /admin/tenants/:tenantId/programme-leads:
// name one by email or LMS user id, remove one (after a confirmation page).
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../models/db.ts';
import { findAdminTenant } from '../../models/erasure.queries.ts';
import * as programme from '../../models/programme.queries.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { requireAdmin } from '../http/auth.ts';
import { errorSummary } from '../http/error-summary.ts';
import { nameProgrammeLead, removeProgrammeLead } from './programme-leads.service.ts';
import { LeadForm, LeadParams, RemoveForm, TenantParams } from './programme.schemas.ts';

export function adminProgrammeLeadsRouter(deps: { db: Db }): Router {
  const r = Router();
  r.use(requireAdmin);
  const tenantOf = async (params: unknown) => {
    const p = TenantParams.safeParse(params);
    const tenant = p.success ? await findAdminTenant(deps.db, p.data.tenantId) : undefined;
    if (!tenant) throw new NotFoundError('deployment');
    return tenant;
  };
  const render = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const tenant = await tenantOf(req.params);
    const leads = await programme.listProgrammeLeads(deps.db, tenant.id);
    res.status(status).render('programme/leads', {
      title: `Programme leads of deployment ${tenant.deploymentId}`,
      tenant,
      leads: leads.map((l) => ({ id: l.id, by: l.email ? 'Email' : 'LMS user id', value: l.email ?? l.lmsUserId })),
      added: req.query.added === '1',
      removed: req.query.removed === '1',
      form: { by: 'email', value: '' },
      ...extra,
    });
  };

  r.get('/:tenantId/programme-leads', (req, res) => render(req, res, 200));

  r.post('/:tenantId/programme-leads', async (req, res) => {
    const tenant = await tenantOf(req.params);
    const form = LeadForm.parse(req.body ?? {});
    try {
      await nameProgrammeLead(deps.db, tenant.id, form);
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      return render(req, res, err.status, { form, error: err.userMessage, errorSummary: errorSummary({ userMessage: err.userMessage, fieldErrors: { value: err.userMessage } }, () => 'value', 'lead-form') });
    }
    res.redirect(303, `/admin/tenants/${tenant.id}/programme-leads?added=1`);
  });

  r.post('/:tenantId/programme-leads/:leadId/remove', async (req, res) => {
    const { leadId } = LeadParams.parse(req.params);
    const tenant = await tenantOf(req.params);
    const lead = (await programme.listProgrammeLeads(deps.db, tenant.id)).find((l) => l.id === leadId);
    if (!lead) throw new NotFoundError('programme lead');
    if (!RemoveForm.parse(req.body ?? {}).confirmed) {
      const base = `/admin/tenants/${tenant.id}/programme-leads`;
      return res.render('admin/confirm', {
        title: 'Remove this programme lead?',
        message: `${lead.email ?? lead.lmsUserId} will no longer see the programme view of this deployment (unless their LMS gives them the Administrator role). You can name them again later.`,
        action: `${base}/${lead.id}/remove`,
        fields: [],
        confirmLabel: 'Remove programme lead',
        cancelHref: base,
      });
    }
    await removeProgrammeLead(deps.db, tenant.id, lead.id);
    res.redirect(303, `/admin/tenants/${tenant.id}/programme-leads?removed=1`);
  });

  return r;
}

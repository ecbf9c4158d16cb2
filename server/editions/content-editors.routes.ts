// The tool admin's page of a deployment's content editors, under /admin/tenants/:tenantId/content-editors:
// name one by email or LMS user id, remove one (after a confirmation page). As programme leads are named.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import { findAdminTenant } from '../../models/erasure.queries.ts';
import * as editions from '../../models/editions.queries.ts';
import { AppError, NotFoundError, ValidationError } from '../errors.ts';
import { nameContentEditor } from './editions.service.ts';
import { requireAdmin } from '../http/auth.ts';
import { errorSummary } from '../http/error-summary.ts';

const TenantParams = z.object({ tenantId: z.uuid() });
const EditorParams = z.object({ tenantId: z.uuid(), editorId: z.uuid() });
const EditorForm = z.object({ by: z.enum(['lms-user-id', 'email']).default('email'), value: z.string().trim().max(400).default('') });
const RemoveForm = z.object({ confirmed: z.literal('yes').optional() });

export function adminContentEditorsRouter(deps: { db: Db }): Router {
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
    const list = await editions.listContentEditors(deps.db, tenant.id);
    res.status(status).render('editions/content-editors', {
      title: `Content editors of deployment ${tenant.deploymentId}`,
      tenant,
      editors: list.map((e) => ({ id: e.id, by: e.email ? 'Email' : 'LMS user id', value: e.email ?? e.lmsUserId })),
      added: req.query.added === '1',
      removed: req.query.removed === '1',
      form: { by: 'email', value: '' },
      ...extra,
    });
  };

  r.get('/:tenantId/content-editors', (req, res) => render(req, res, 200));

  r.post('/:tenantId/content-editors', async (req, res) => {
    const tenant = await tenantOf(req.params);
    const form = EditorForm.safeParse(req.body ?? {});
    if (!form.success) throw new ValidationError('Choose email or LMS user id, and type it.');
    try {
      await nameContentEditor(deps.db, tenant.id, form.data);
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      return render(req, res, err.status, { form: form.data, error: err.userMessage, errorSummary: errorSummary({ userMessage: err.userMessage, fieldErrors: { value: err.userMessage } }, () => 'value', 'editor-form') });
    }
    res.redirect(303, `/admin/tenants/${tenant.id}/content-editors?added=1`);
  });

  r.post('/:tenantId/content-editors/:editorId/remove', async (req, res) => {
    const params = EditorParams.safeParse(req.params);
    if (!params.success) throw new NotFoundError('content editor');
    const tenant = await tenantOf(req.params);
    const named = (await editions.listContentEditors(deps.db, tenant.id)).find((e) => e.id === params.data.editorId);
    if (!named) throw new NotFoundError('content editor');
    const base = `/admin/tenants/${tenant.id}/content-editors`;
    if (!RemoveForm.parse(req.body ?? {}).confirmed) {
      return res.render('admin/confirm', {
        title: 'Remove this content editor?',
        message: `${named.email ?? named.lmsUserId} will no longer edit this deployment’s workshop editions (unless their LMS gives them the Content Developer or Administrator role). You can name them again later.`,
        action: `${base}/${named.id}/remove`,
        fields: [],
        confirmLabel: 'Remove content editor',
        cancelHref: base,
      });
    }
    if (!(await editions.deleteContentEditor(deps.db, tenant.id, named.id))) throw new NotFoundError('content editor');
    res.redirect(303, `${base}?removed=1`);
  });

  return r;
}

// The privacy notice: /privacy for everyone (the tenant of the session's latest launch, else the
// default), and the tool admin's editor per deployment under /admin/tenants/:tenantId/privacy.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import { requireAdmin } from '../http/auth.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { errorSummary } from '../http/error-summary.ts';
import { NOTICE_MAX, openNoticeForEdit, openPrivacyNotice, savePrivacyNotice } from './notice.service.ts';

const TenantParams = z.object({ tenantId: z.uuid() });
const NoticeForm = z.object({ body: z.string().max(NOTICE_MAX * 2).default('') });

/** The tenant whose notice this browser should read: that of its latest launch. */
function sessionTenant(req: Request): string | undefined {
  const launches = Object.values(req.user?.launches ?? {});
  launches.sort((a, b) => b.launchedAt.localeCompare(a.launchedAt));
  return launches[0]?.tenantId;
}

export function privacyNoticeRouter(deps: { db: Db }): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const notice = await openPrivacyNotice(deps.db, sessionTenant(req));
    res.render('privacy/notice', { title: req.i18n!.t('privacy.notice.heading'), notice: { html: notice.html, custom: notice.custom, updatedOn: notice.updatedAt } });
  });
  return r;
}

export function adminNoticeRouter(deps: { db: Db }): Router {
  const r = Router();
  r.use(requireAdmin);
  const tenantOf = (req: Request) => {
    const p = TenantParams.safeParse(req.params);
    if (!p.success) throw new NotFoundError('deployment');
    return p.data.tenantId;
  };
  r.get('/:tenantId/privacy', async (req, res) => {
    const data = await openNoticeForEdit(deps.db, tenantOf(req));
    res.render('privacy/notice-edit', { title: req.i18n!.t('privacy.notice.title'), ...data, saved: req.query.saved === '1', max: NOTICE_MAX });
  });
  r.post('/:tenantId/privacy', async (req, res) => {
    const tenantId = tenantOf(req);
    const { body } = NoticeForm.parse(req.body ?? {});
    try {
      await savePrivacyNotice(deps.db, tenantId, body);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const data = await openNoticeForEdit(deps.db, tenantId);
      return res.status(400).render('privacy/notice-edit', { title: req.i18n!.t('privacy.notice.title'), ...data, source: body, error: err.userMessage, errorSummary: errorSummary(err, () => 'body', 'notice-form'), max: NOTICE_MAX });
    }
    res.redirect(303, `/admin/tenants/${tenantId}/privacy?saved=1`);
  });
  return r;
}

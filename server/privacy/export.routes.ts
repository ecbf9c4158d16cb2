// The person's own export: ask for it on their profile, see its state there, download it from the
// profile (the session's launch) or by the emailed link. Thin: parse, call the service, respond.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { findActiveLaunch, requireLaunch } from '../http/auth.ts';
import { NotFoundError } from '../errors.ts';
import { exportFileName, listOwnExports, openExportByLink, openOwnExport, requestExport, streamExport, type ExportDeps } from './export.service.ts';
import { exportsView } from './export.views.ts';

const CohortParams = z.object({ cohortId: z.uuid() });
const ExportParams = z.object({ cohortId: z.uuid(), exportId: z.uuid() });
const ExportForm = z.object({ scope: z.enum(['cohort', 'all']).catch('cohort') });
const LinkQuery = z.object({ token: z.string().max(200) });

/** Under /cohorts: mounted before the profile router, whose page shows what it puts in res.locals. */
export function exportRouter(deps: ExportDeps): Router {
  const r = Router();
  const member = requireLaunch(deps.db);

  r.get('/:cohortId/profile', async (req: Request, res: Response, next: NextFunction) => {
    const params = CohortParams.safeParse(req.params);
    const who = params.success ? await findActiveLaunch(deps.db, req, params.data.cohortId) : undefined;
    if (who) res.locals.personalExports = exportsView(who, await listOwnExports(deps, who), deps.now(), req.query.export === 'requested');
    next();
  });

  r.post('/:cohortId/profile/export', member, async (req, res) => {
    const { scope } = ExportForm.parse(req.body ?? {});
    await requestExport(deps, req.launch!, scope);
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/profile?export=requested#your-data`);
  });

  r.get('/:cohortId/profile/exports/:exportId', member, async (req, res) => {
    const params = ExportParams.safeParse(req.params);
    if (!params.success) throw new NotFoundError('export');
    await sendZip(deps, res, await openOwnExport(deps, req.launch!, params.data.exportId));
  });
  return r;
}

/** Under /privacy/exports: the emailed link (the link is the person's, for this one export). */
export function exportLinkRouter(deps: ExportDeps): Router {
  const r = Router();
  r.get('/download', async (req, res) => {
    const q = LinkQuery.safeParse(req.query);
    if (!q.success) throw new NotFoundError('export');
    await sendZip(deps, res, await openExportByLink(deps, q.data.token));
  });
  return r;
}

async function sendZip(deps: ExportDeps, res: Response, e: Awaited<ReturnType<typeof openOwnExport>>): Promise<void> {
  res.set({
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="${exportFileName(e)}"`,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
  });
  if (e.sizeBytes) res.set('Content-Length', e.sizeBytes);
  await streamExport(deps.db, e, res);
}

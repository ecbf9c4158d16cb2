// The edition editor at /editions: a tenant's content editors create editions, edit the draft module
// by module (plain forms, preview through the workshop's renderer), publish it as a new version, and
// choose the edition new courses run.
import type { Readable } from 'node:stream';
import { Router, type Request, type Response } from 'express';
import * as editions from '../../models/editions.queries.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import { requireNamedRole } from '../named-roles/named-roles.guard.ts';
import { readUploadForm } from '../media/upload-form.ts';
import { MAX_ZIP_BYTES } from './edition-files.ts';
import {
  CreateEditionForm,
  EditionModuleParams,
  EditionParams,
  FlatForm,
  ForNewCohortsForm,
  RevisionForm,
  fiveFactorsFromForm,
  moduleFromRows,
  readModuleForm,
  rowsOf,
  type ModuleRows,
} from './editions.schemas.ts';
import {
  chooseEditionForNewCohorts,
  createEdition,
  DraftConflictError,
  exportEdition,
  importEdition,
  publishDraft,
  requireContentEditor,
  saveDraft,
  workingCopy,
  type EditionsDeps,
} from './editions.service.ts';
import { editionPageView, editionsListView, fiveFactorsView, moduleEditorView, type ModuleEditorFlash } from './editions.views.ts';

export function editionsRouter(deps: EditionsDeps): Router {
  const r = Router();
  const editor = requireNamedRole(deps.db, 'content-editor');
  const editionId = (req: Request) => {
    const p = EditionParams.safeParse(req.params);
    if (!p.success) throw new NotFoundError('edition');
    return p.data.editionId;
  };

  r.get('/', editor, (req, res) => renderList(req, res, 200));

  r.post('/', editor, async (req, res) => {
    const form = CreateEditionForm.safeParse(req.body ?? {});
    if (!form.success) throw new ValidationError(msg('editions.errors.createForm'));
    try {
      const id = await createEdition(deps, requireContentEditor(req.launch), form.data);
      res.redirect(303, `/editions/${id}?created=1`);
    } catch (err) {
      if (err instanceof ValidationError) return renderList(req, res, 400, { error: err, name: form.data.name });
      throw err;
    }
  });

  r.post('/import', editor, async (req, res) => {
    // The one upload reader of the app (it checks the CSRF token before the file); the zip is small, read whole.
    const form = await readUploadForm(req, res, { maxFileBytes: MAX_ZIP_BYTES, maxFiles: 1, store: (file) => readZip(file) });
    const typed = form.fields['importName'];
    const name = typeof typed === 'string' ? typed.slice(0, 1000) : '';
    if (form.refused) return renderList(req, res, 400, { error: new ValidationError(form.refused.userMessage, { zip: form.refused.userMessage }), importName: name });
    try {
      const id = await importEdition(deps, requireContentEditor(req.launch), { name, zip: form.stored[0] });
      res.redirect(303, `/editions/${id}?imported=1`);
    } catch (err) {
      if (err instanceof ValidationError) return renderList(req, res, 400, { error: err, importName: name });
      throw err;
    }
  });

  r.get('/:editionId/export.zip', editor, async (req, res) => {
    const { fileName, zip } = await exportEdition(deps, requireContentEditor(req.launch), editionId(req));
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.send(zip);
  });

  r.post('/for-new-cohorts', editor, async (req, res) => {
    const form = ForNewCohortsForm.safeParse(req.body ?? {});
    if (!form.success) throw new ValidationError(msg('editions.errors.chooseEdition'));
    try {
      await chooseEditionForNewCohorts(deps, requireContentEditor(req.launch), form.data.editionId, form.data.language);
    } catch (err) {
      if (err instanceof ValidationError) return renderList(req, res, 400, { error: err });
      throw err;
    }
    res.redirect(303, '/editions?chosen=1');
  });

  r.get('/:editionId', editor, (req, res) => renderEdition(req, res, 200));

  r.post('/:editionId/publish', editor, async (req, res) => {
    const id = editionId(req);
    const form = RevisionForm.safeParse(req.body ?? {});
    if (!form.success) throw new ValidationError(msg('editions.errors.outOfDate'));
    try {
      const number = await publishDraft(deps, requireContentEditor(req.launch), id, form.data.baseRevision);
      res.redirect(303, `/editions/${id}?published=${number}`);
    } catch (err) {
      if (err instanceof ValidationError || err instanceof ConflictError) return renderEdition(req, res, err.status, err);
      throw err;
    }
  });

  r.get('/:editionId/modules/:moduleId', editor, async (req, res) => renderModule(req, res, 200, {}));

  r.post('/:editionId/modules/:moduleId', editor, async (req, res) => {
    const params = EditionModuleParams.safeParse(req.params);
    if (!params.success) throw new NotFoundError('module');
    const body = FlatForm.safeParse(req.body ?? {});
    const revision = RevisionForm.safeParse(req.body ?? {});
    if (!body.success || !revision.success) throw new ValidationError(msg('editions.errors.moduleFormStale'));
    const rows = readModuleForm(body.data);
    const who = requireContentEditor(req.launch);
    const copy = await workingCopy(deps, who, params.data.editionId);
    const current = copy.content.modules.find((m) => m.id === params.data.moduleId);
    if (!current) throw new NotFoundError('module');
    const parsed = moduleFromRows(rows, current);
    if ('errors' in parsed) return renderModule(req, res, 400, { rows, error: new ValidationError(msg('editions.errors.putRight'), parsed.errors) });
    if (body.data.intent === 'preview') return renderModule(req, res, 200, { rows, preview: parsed.module, revision: revision.data.baseRevision });
    try {
      await saveDraft(deps, who, params.data.editionId, revision.data.baseRevision, (c) => ({ ...c, modules: c.modules.map((m) => (m.id === current.id ? parsed.module : m)) }));
    } catch (err) {
      if (err instanceof DraftConflictError) return renderModule(req, res, 409, { rows, conflict: err });
      if (err instanceof ValidationError) return renderModule(req, res, 400, { rows, error: err });
      throw err;
    }
    res.redirect(303, `/editions/${params.data.editionId}/modules/${current.id}?saved=1`);
  });

  r.get('/:editionId/five-factors', editor, async (req, res) => renderFiveFactors(req, res, 200));

  r.post('/:editionId/five-factors', editor, async (req, res) => {
    const id = editionId(req);
    const body = FlatForm.safeParse(req.body ?? {});
    const revision = RevisionForm.safeParse(req.body ?? {});
    if (!body.success || !revision.success) throw new ValidationError(msg('editions.errors.pageFormStale'));
    const parsed = fiveFactorsFromForm(body.data);
    if ('errors' in parsed) return renderFiveFactors(req, res, 400, { typed: body.data, error: new ValidationError(msg('editions.errors.putRight'), parsed.errors) });
    try {
      await saveDraft(deps, requireContentEditor(req.launch), id, revision.data.baseRevision, (c) => ({ ...c, fiveFactors: parsed.fiveFactors }));
    } catch (err) {
      if (err instanceof ConflictError || err instanceof ValidationError) return renderFiveFactors(req, res, err.status, { typed: body.data, error: err });
      throw err;
    }
    res.redirect(303, `/editions/${id}/five-factors?saved=1`);
  });

  async function renderList(req: Request, res: Response, status: number, flash?: { error: ValidationError; name?: string; importName?: string }) {
    const who = requireContentEditor(req.launch);
    const list = await editions.listEditions(deps.db, who.tenantId);
    res.status(status).render('editions/editions', { title: req.i18n!.t('editions.list.title'), ...editionsListView(list, { chosen: req.query.chosen === '1' && !flash, ...flash }) });
  }

  async function renderEdition(req: Request, res: Response, status: number, error?: AppError) {
    const who = requireContentEditor(req.launch);
    const id = editionId(req);
    const [copy, versions] = await Promise.all([workingCopy(deps, who, id), editions.listPublishedVersions(deps.db, who.tenantId, id)]);
    const q = req.query as Record<string, string | undefined>;
    res.status(status).render('editions/edition', { title: copy.edition.name, ...editionPageView(copy, versions, { created: q.created === '1', imported: q.imported === '1', published: error ? undefined : q.published, error }) });
  }

  async function renderModule(req: Request, res: Response, status: number, flash: Omit<ModuleEditorFlash, 'saved'> & { rows?: ModuleRows; revision?: number }) {
    const params = EditionModuleParams.safeParse(req.params);
    if (!params.success) throw new NotFoundError('module');
    const copy = await workingCopy(deps, requireContentEditor(req.launch), params.data.editionId);
    const current = copy.content.modules.find((m) => m.id === params.data.moduleId);
    if (!current) throw new NotFoundError('module');
    // After a refused save the form keeps what was typed; its base revision is the one now saved,
    // except for a preview, which keeps the revision the editor started from.
    const revision = flash.revision ?? copy.revision;
    res.status(status).render('editions/module', {
      title: req.i18n!.t('editions.module.pageTitle', { edition: copy.edition.name, number: current.id }),
      ...moduleEditorView(copy, current, flash.rows ?? rowsOf(current), revision, { ...flash, saved: req.query.saved === '1' && status === 200 && !flash.preview }),
    });
  }

  async function renderFiveFactors(req: Request, res: Response, status: number, flash?: { typed: Record<string, string>; error: AppError }) {
    const copy = await workingCopy(deps, requireContentEditor(req.launch), editionId(req));
    res.status(status).render('editions/five-factors', { title: req.i18n!.t('editions.fiveFactors.pageTitle', { edition: copy.edition.name }), ...fiveFactorsView(copy, { saved: req.query.saved === '1' && !flash, ...flash }) });
  }

  return r;
}

/** The uploaded zip's bytes, refused past MAX_ZIP_BYTES (an edition is Markdown: a few hundred KB). */
async function readZip(file: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ZIP_BYTES) throw new AppError(413, 'edition-too-large', msg('editions.errors.zipTooLarge', { megabytes: MAX_ZIP_BYTES / 1024 / 1024 }));
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

// A tenant's workshop editions, for its content editors: create, edit the one draft (a save over a
// newer revision is refused, what was typed kept), publish it as a new version, choose the edition a
// course's first launch runs. Knows nothing of HTTP.
import { isContentLanguage } from '../i18n/locales.ts';
import { msg } from '../i18n/i18n.ts';
import { withTransaction, type Db } from '../../models/db.ts';
import * as editions from '../../models/editions.queries.ts';
import type { EditionVersion } from '../../models/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import { EditionContentSchema, formatPath, type EditionContent } from '../modules/workshop-content.ts';
import type { Workshops } from './workshops.ts';
import { editionFiles, editionFromFiles, unzipEdition, zipEdition } from './edition-files.ts';

export interface EditionsDeps {
  db: Db;
  workshops: Workshops;
  /** The default edition's sources in each language written (content/): where a new edition starts. */
  defaultContents: { en: EditionContent } & Partial<Record<string, EditionContent>>;
}

/** Who edits a tenant's editions: a launch with the LMS's Content Developer or Administrator role, or a named content editor (requireNamedRole sets the flag). */
export interface ContentEditor {
  tenantId: string;
}

export function requireContentEditor(who: LaunchContext | undefined): ContentEditor {
  if (!who?.contentEditor) throw new ForbiddenError('edit-editions', msg('editions.errors.editorsOnly'));
  return { tenantId: who.tenantId };
}

/** What the editor works on: the draft, or (no draft yet) the latest version, which the first save copies. */
export interface WorkingCopy {
  edition: { id: string; name: string; forNewCohorts: boolean; language: string };
  content: EditionContent;
  /** The draft's revision a save must be based on; 0 while there is no draft. */
  revision: number;
  draft: boolean;
  /** The number the draft has or will have once published. */
  number: number;
  publishedNumber: number | null;
}

export async function workingCopy(deps: EditionsDeps, editor: ContentEditor, editionId: string): Promise<WorkingCopy> {
  const [edition, draft, latest] = await Promise.all([
    editions.findEdition(deps.db, editor.tenantId, editionId),
    editions.findDraft(deps.db, editor.tenantId, editionId),
    editions.findLatestPublished(deps.db, editor.tenantId, editionId),
  ]);
  if (!edition) throw new NotFoundError('edition');
  const base = draft ?? latest;
  if (!base) throw new NotFoundError('edition');
  return {
    edition: { id: edition.id, name: edition.name, forNewCohorts: edition.forNewCohorts, language: edition.language },
    content: EditionContentSchema.parse(base.content),
    revision: draft?.revision ?? 0,
    draft: draft !== undefined,
    number: draft?.number ?? (latest?.number ?? 0) + 1,
    publishedNumber: latest?.number ?? null,
  };
}

const NAME_MAX = 100;

/** A new edition, its draft (version 1) a copy of the default edition or of another edition's latest version. */
export async function createEdition(deps: EditionsDeps, editor: ContentEditor, form: { name: string; from: string; language: string }): Promise<string> {
  const name = form.name.trim();
  // From the default edition: as written in the chosen language; from another edition: in its language.
  if (!isContentLanguage(form.language)) throw new ValidationError(msg('language.cohort.unknown'), { language: msg('language.cohort.unknown') });
  let language: string = form.language;
  if (!name || name.length > NAME_MAX) throw new ValidationError(msg('editions.errors.name', { max: NAME_MAX }), { name: msg('editions.errors.name', { max: NAME_MAX }) });
  let content = deps.defaultContents[language] ?? deps.defaultContents.en;
  if (form.from !== 'default') {
    const sourceEdition = await editions.findEdition(deps.db, editor.tenantId, form.from);
    if (sourceEdition) language = sourceEdition.language;
    const source = await editions.findLatestPublished(deps.db, editor.tenantId, form.from);
    const draft = source ? undefined : await editions.findDraft(deps.db, editor.tenantId, form.from);
    const from = source ?? draft;
    if (!from) throw new ValidationError(msg('editions.errors.from'), { from: msg('editions.errors.from') });
    content = EditionContentSchema.parse(from.content);
  }
  return withTransaction(deps.db, async (tx) => {
    const id = await editions.insertEdition(tx, { tenantId: editor.tenantId, name, language });
    if (!id) throw new ValidationError(msg('editions.errors.nameTaken'), { name: msg('editions.errors.nameTaken') });
    await editions.insertDraft(tx, { tenantId: editor.tenantId, editionId: id, content });
    return id;
  });
}

/** Refused: someone saved or published the draft since this editor opened it. Carries what is there now. */
export class DraftConflictError extends ConflictError {
  readonly current: WorkingCopy;
  constructor(current: WorkingCopy) {
    super(msg('editions.errors.conflict'));
    this.current = current;
  }
}

/** A validation failure of the whole content, in the editor's words (the path names the module and field). */
function contentError(content: unknown): ValidationError | undefined {
  const result = EditionContentSchema.safeParse(content);
  if (result.success) return undefined;
  const messages = result.error.issues.map((i) => (i.path.length > 0 ? `${readablePath(i.path)}: ${i.message}` : i.message));
  return new ValidationError(msg('editions.errors.invalidContent', { details: messages.join('; ') }));
}

function readablePath(path: readonly PropertyKey[]): string {
  return formatPath(path).replace(/^modules\[(\d+)\]/, (_, i: string) => `module ${Number(i) + 1}`).replace(/activities\[(\d+)\]/, (_, i: string) => `activity ${Number(i) + 1}`);
}

/**
 * Saves a change to the draft made on `baseRevision` (0: no draft yet, the first save copies the
 * latest version). A save over a newer revision, or after a publish, is a conflict: nothing is
 * written and the current draft comes back to be shown.
 */
export async function saveDraft(deps: EditionsDeps, editor: ContentEditor, editionId: string, baseRevision: number, change: (content: EditionContent) => EditionContent): Promise<void> {
  const conflict = async () => new DraftConflictError(await workingCopy(deps, editor, editionId));
  const current = await workingCopy(deps, editor, editionId);
  if (current.revision !== baseRevision) throw await conflict();
  const next = change(current.content);
  const invalid = contentError(next);
  if (invalid) throw invalid;
  const content = EditionContentSchema.parse(next);
  let saved: EditionVersion | boolean | undefined;
  if (baseRevision === 0) saved = await editions.insertDraft(deps.db, { tenantId: editor.tenantId, editionId, content });
  else {
    const draft = await editions.findDraft(deps.db, editor.tenantId, editionId);
    saved = draft !== undefined && (await editions.updateDraft(deps.db, editor.tenantId, draft.id, baseRevision, content));
  }
  if (!saved) throw await conflict();
}

/** The draft at `baseRevision` becomes the next version; new cohorts of this edition get it from now on. */
export async function publishDraft(deps: EditionsDeps, editor: ContentEditor, editionId: string, baseRevision: number): Promise<number> {
  const [draft, edition] = await Promise.all([editions.findDraft(deps.db, editor.tenantId, editionId), editions.findEdition(deps.db, editor.tenantId, editionId)]);
  if (!edition) throw new NotFoundError('edition');
  if (!draft) throw new ValidationError(msg('editions.errors.noDraft'));
  if (draft.revision !== baseRevision) throw new DraftConflictError(await workingCopy(deps, editor, editionId));
  const invalid = contentError(draft.content);
  if (invalid) throw invalid;
  if (!(await editions.publishDraft(deps.db, editor.tenantId, draft.id, baseRevision))) throw new DraftConflictError(await workingCopy(deps, editor, editionId));
  return draft.number;
}

/** The edition a course's first launch runs ('default': our nine modules); it needs a published version. */
export async function chooseEditionForNewCohorts(deps: EditionsDeps, editor: ContentEditor, editionId: string, language: string): Promise<void> {
  if (editionId === 'default') {
    if (!isContentLanguage(language)) throw new ValidationError(msg('language.cohort.unknown'), { editionId: msg('language.cohort.unknown') });
    return editions.setEditionForNewCohorts(deps.db, editor.tenantId, language, null);
  }
  const [edition, published] = await Promise.all([editions.findEdition(deps.db, editor.tenantId, editionId), editions.findLatestPublished(deps.db, editor.tenantId, editionId)]);
  if (!edition) throw new NotFoundError('edition');
  if (!published) throw new ValidationError(msg('editions.errors.publishFirst'), { editionId: msg('editions.errors.publishFirstShort') });
  await withTransaction(deps.db, (tx) => editions.setEditionForNewCohorts(tx, editor.tenantId, edition.language, editionId));
}

/** The working copy (the draft, or the latest version) as a zip of Markdown files, as content/ holds them. */
export async function exportEdition(deps: EditionsDeps, editor: ContentEditor, editionId: string): Promise<{ fileName: string; zip: Buffer }> {
  const copy = await workingCopy(deps, editor, editionId);
  const folder = copy.edition.name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'edition';
  return { fileName: `${folder}.zip`, zip: await zipEdition(folder, editionFiles(copy.edition.name, copy.content, copy.edition.language)) };
}

/** A new edition from an uploaded zip (its draft: version 1); named as typed, else as its edition.yaml says. */
export async function importEdition(deps: EditionsDeps, editor: ContentEditor, form: { name: string; zip: Buffer | undefined }): Promise<string> {
  if (!form.zip) throw new ValidationError(msg('editions.errors.chooseZip'), { zip: msg('editions.errors.chooseZip') });
  const { name, content, language } = editionFromFiles(await unzipEdition(form.zip));
  return withTransaction(deps.db, async (tx) => {
    const editionName = form.name.trim() || name;
    if (!editionName || editionName.length > NAME_MAX) throw new ValidationError(msg('editions.errors.name', { max: NAME_MAX }), { importName: msg('editions.errors.name', { max: NAME_MAX }) });
    const id = await editions.insertEdition(tx, { tenantId: editor.tenantId, name: editionName, language: language ?? 'en' });
    if (!id) throw new ValidationError(msg('editions.errors.importNameTaken'), { importName: msg('editions.errors.nameTaken') });
    await editions.insertDraft(tx, { tenantId: editor.tenantId, editionId: id, content });
    return id;
  });
}

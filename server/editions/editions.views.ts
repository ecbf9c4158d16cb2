// View models for the edition editor: ready values only (the templates hold the words).
import { CONTENT_LANGUAGES, LOCALE_NAMES, type ContentLanguage } from '../i18n/locales.ts';
import type { EditionRow } from '../../models/editions.queries.ts';
import type { AppError, ValidationError } from '../errors.ts';
import { errorSummary } from '../http/error-summary.ts';
import { ACTIVITY_KINDS, renderWorkshopMarkdown, type ModuleSource } from '../modules/workshop-content.ts';
import { MAX_ACTIVITIES, MAX_READINGS, type ModuleRows } from './editions.schemas.ts';
import type { DraftConflictError, WorkingCopy } from './editions.service.ts';

/** Each activity kind's label in the catalogs (editions.json). */
const KIND_LABEL_KEY: Record<(typeof ACTIVITY_KINDS)[number], string> = {
  reflection: 'editions.kind.reflection',
  discussion: 'editions.kind.discussion',
  practice: 'editions.kind.practice',
  curation: 'editions.kind.curation',
  'five-factor-check': 'editions.kind.fiveFactorCheck',
};

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '');

export function editionsListView(list: EditionRow[], flash: { chosen?: boolean; error?: ValidationError; name?: string; importName?: string }) {
  const nameOf = (l: string) => LOCALE_NAMES[l as ContentLanguage] ?? l;
  return {
    // The edition for new courses, per language a course can start in.
    forNewCohorts: CONTENT_LANGUAGES.map((language) => {
      const own = list.filter((e) => e.language === language);
      return {
        language,
        languageName: nameOf(language),
        choices: [
          { value: 'default', name: null, number: null, selected: !own.some((e) => e.forNewCohorts) },
          ...own.filter((e) => e.publishedNumber !== null).map((e) => ({ value: e.id, name: e.name, number: e.publishedNumber, selected: e.forNewCohorts })),
        ],
      };
    }),
    languages: CONTENT_LANGUAGES.map((l) => ({ value: l, name: nameOf(l) })),
    editions: list.map((e) => ({
      id: e.id,
      name: e.name,
      href: `/editions/${e.id}`,
      published: e.publishedNumber,
      draft: e.draftNumber,
      cohorts: e.cohorts,
      forNewCohorts: e.forNewCohorts,
      language: e.language,
      languageName: nameOf(e.language),
    })),
    // The default edition has no name of its own: the template words it.
    startFrom: [{ value: 'default', name: null }, ...list.map((e) => ({ value: e.id, name: e.name }))],
    chosen: flash.chosen === true,
    error: flash.error?.userMessage,
    fieldErrors: flash.error?.fieldErrors ?? {},
    name: flash.name ?? '',
    importName: flash.importName ?? '',
    // An import's error names a file inside the zip: it leads to the import form.
    errorSummary: errorSummary(flash.error, (k) => (k === 'name' ? 'name' : k === 'editionId' ? 'for-new-cohorts' : k === 'zip' ? 'zip' : k === 'importName' ? 'importName' : undefined), flash.importName !== undefined ? 'import-edition' : 'new-edition'),
    importError: flash.importName !== undefined && Object.keys(flash.error?.fieldErrors ?? {}).length === 0 ? flash.error?.userMessage : undefined,
  };
}

export function editionPageView(copy: WorkingCopy, versions: Array<{ id: string; number: number; publishedAt: Date | null }>, flash: { created: boolean; imported: boolean; published: string | undefined; error: AppError | undefined }) {
  return {
    edition: { ...copy.edition, href: `/editions/${copy.edition.id}` },
    draft: copy.draft,
    number: copy.number,
    revision: copy.revision,
    publishedNumber: copy.publishedNumber,
    modules: copy.content.modules.map((m) => ({ number: m.id, title: m.title, activities: m.activities.length, href: `/editions/${copy.edition.id}/modules/${m.id}` })),
    fiveFactorsHref: `/editions/${copy.edition.id}/five-factors`,
    exportHref: `/editions/${copy.edition.id}/export.zip`,
    imported: flash.imported,
    versions: versions.map((v) => ({ number: v.number, publishedAt: v.publishedAt })),
    created: flash.created,
    published: flash.published,
    error: flash.error?.userMessage,
    errorSummary: flash.error ? [{ field: 'publish', message: flash.error.userMessage }] : [],
  };
}

export interface ModuleEditorFlash {
  saved?: boolean;
  error?: ValidationError;
  preview?: ModuleSource;
  conflict?: DraftConflictError;
}

/** The module's form: its rows (as saved, or as typed), one blank row to add a reading and an activity. */
export function moduleEditorView(copy: WorkingCopy, current: ModuleSource, rows: ModuleRows, revision: number, flash: ModuleEditorFlash) {
  const errors = flash.error?.fieldErrors ?? {};
  const readings = rows.readings.length < MAX_READINGS ? [...rows.readings, { title: '', link: '', body: '' }] : rows.readings;
  const activities = rows.activities.length < MAX_ACTIVITIES + 1 && rows.activities.every((a) => a.title || a.prompt) ? [...rows.activities, { id: '', kind: 'reflection', title: '', prompt: '', required: false, order: String(rows.activities.length + 1), remove: false }] : rows.activities;
  const theirs = flash.conflict?.current.content.modules.find((m) => m.id === current.id);
  return {
    edition: { ...copy.edition, href: `/editions/${copy.edition.id}` },
    module: { number: current.id, slug: current.slug },
    action: `/editions/${copy.edition.id}/modules/${current.id}`,
    revision: flash.conflict ? flash.conflict.current.revision : revision,
    draftNumber: copy.number,
    fields: { title: rows.title, summary: rows.summary, minutes: rows.minutes, framing: rows.framing, doToday: rows.doToday },
    readings: readings.map((r, i) => ({
      i,
      n: i + 1,
      ...r,
      isNew: i >= rows.readings.length,
      errors: { title: errors[`reading_${i}_title`], link: errors[`reading_${i}_link`], body: errors[`reading_${i}_body`] },
    })),
    activities: activities.map((a, i) => ({
      i,
      n: i + 1,
      ...a,
      isNew: a.id === '',
      kinds: ACTIVITY_KINDS.map((k) => ({ value: k, labelKey: KIND_LABEL_KEY[k], selected: a.kind === k })),
      errors: { title: errors[`activity_${i}_title`], prompt: errors[`activity_${i}_prompt`], kind: errors[`activity_${i}_kind`], order: errors[`activity_${i}_order`] },
    })),
    errors,
    saved: flash.saved === true,
    error: flash.error?.userMessage ?? flash.conflict?.userMessage,
    conflict: theirs ? moduleReadView(theirs) : undefined,
    preview: flash.preview ? moduleReadView(flash.preview) : undefined,
    errorSummary: flash.conflict
      ? [{ field: 'module-form', message: flash.conflict.userMessage }]
      : errorSummary(flash.error, (k) => (k === 'activities' ? 'activities' : k), 'module-form'),
  };
}

/** A module as a learner would read it (the preview, and the other editor's version after a conflict). */
function moduleReadView(m: ModuleSource) {
  return {
    title: m.title,
    summary: m.summary,
    framingHtml: renderWorkshopMarkdown(m.framing),
    readings: m.readings.map((r) => ({ title: r.title, link: r.link, bodyHtml: renderWorkshopMarkdown(r.body) })),
    activities: m.activities.map((a) => ({ title: a.title, kindKey: KIND_LABEL_KEY[a.kind], required: a.required, promptHtml: renderWorkshopMarkdown(a.prompt) })),
    doToday: m.doToday ?? [],
  };
}

export function fiveFactorsView(copy: WorkingCopy, flash: { saved?: boolean; typed?: Record<string, string>; error?: AppError }) {
  const fieldErrors = (flash.error as ValidationError | undefined)?.fieldErrors ?? {};
  return {
    edition: { ...copy.edition, href: `/editions/${copy.edition.id}` },
    action: `/editions/${copy.edition.id}/five-factors`,
    revision: flash.error?.status === 409 ? (flash.error as DraftConflictError).current.revision : copy.revision,
    factors: copy.content.fiveFactors.map((f, i) => ({
      id: f.id,
      n: i + 1,
      label: flash.typed?.[`${f.id}_label`] ?? f.label,
      description: flash.typed?.[`${f.id}_description`] ?? f.description,
      saved: flash.error?.status === 409 ? f : undefined,
      errors: { label: fieldErrors[`${f.id}_label`], description: fieldErrors[`${f.id}_description`] },
    })),
    saved: flash.saved === true,
    error: flash.error?.userMessage,
    errorSummary: flash.error ? errorSummary({ userMessage: flash.error.userMessage, fieldErrors }, (k) => k, 'five-factors-form') : [],
  };
}

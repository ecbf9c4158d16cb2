// The editor's forms: plain fields (no JavaScript needed), one row per reading and per activity,
// read into a module's source with a message per field that needs attention.
import { z } from 'zod';
import { msg } from '../i18n/i18n.ts';
import type { UserText } from '../errors.ts';
import { ACTIVITY_KINDS, FIVE_FACTORS, MODULE_COUNT, type ActivityKind, type EditionContent, type ModuleSource } from '../modules/workshop-content.ts';

export const EditionParams = z.object({ editionId: z.uuid() });
export const EditionModuleParams = z.object({ editionId: z.uuid(), moduleId: z.coerce.number().int().min(1).max(MODULE_COUNT) });
export const CreateEditionForm = z.object({ name: z.string().max(1000).default(''), from: z.union([z.literal('default'), z.uuid()]).default('default'), language: z.string().max(20).default('en') });
export const ForNewCohortsForm = z.object({ editionId: z.union([z.literal('default'), z.uuid()]), language: z.string().max(20).default('en') });
export const RevisionForm = z.object({ baseRevision: z.coerce.number().int().min(0).max(1_000_000) });
/** Every field of the module and five-factor forms is a string; unknown ones are ignored. */
export const FlatForm = z.record(z.string(), z.string().max(20_000));

/** Rows offered for new readings and activities below the existing ones (plain forms add one at a time). */
export const MAX_READINGS = 4;
export const MAX_ACTIVITIES = 8;

export interface ReadingRow {
  title: string;
  link: string;
  body: string;
}
export interface ActivityRow {
  /** Kept for an existing activity (its learners' answers are filed under it); empty for a new one. */
  id: string;
  kind: string;
  title: string;
  prompt: string;
  required: boolean;
  order: string;
  remove: boolean;
}
export interface ModuleRows {
  title: string;
  summary: string;
  minutes: string;
  framing: string;
  doToday: string;
  readings: ReadingRow[];
  activities: ActivityRow[];
}

/** The form's rows for a module as saved. */
export function rowsOf(m: ModuleSource): ModuleRows {
  return {
    title: m.title,
    summary: m.summary,
    minutes: String(m.estimatedMinutes),
    framing: m.framing,
    doToday: (m.doToday ?? []).join('\n'),
    readings: m.readings.map((r) => ({ title: r.title, link: r.link ?? '', body: r.body })),
    activities: m.activities.map((a, i) => ({ id: a.id, kind: a.kind, title: a.title, prompt: a.prompt, required: a.required, order: String(i + 1), remove: false })),
  };
}

/** The rows as typed. */
export function readModuleForm(body: Record<string, string>): ModuleRows {
  const f = (k: string) => body[k] ?? '';
  const readings: ReadingRow[] = [];
  for (let i = 0; i < MAX_READINGS; i++) if (`reading_${i}_title` in body) readings.push({ title: f(`reading_${i}_title`), link: f(`reading_${i}_link`), body: f(`reading_${i}_body`) });
  const activities: ActivityRow[] = [];
  for (let i = 0; i < MAX_ACTIVITIES + 1; i++) {
    if (!(`activity_${i}_title` in body)) continue;
    activities.push({ id: f(`activity_${i}_id`), kind: f(`activity_${i}_kind`), title: f(`activity_${i}_title`), prompt: f(`activity_${i}_prompt`), required: f(`activity_${i}_required`) === 'on', order: f(`activity_${i}_order`), remove: f(`activity_${i}_remove`) === 'on' });
  }
  return { title: f('title'), summary: f('summary'), minutes: f('minutes'), framing: f('framing'), doToday: f('doToday'), readings, activities };
}

const HTTP = /^https?:\/\//i;
function isHttpLink(s: string): boolean {
  if (!HTTP.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

function kebabOf(title: string): string {
  return title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'activity';
}

/**
 * Typed rows → the module's source, or a message per field (named as the form names them). Blank
 * rows are left out; removed activities dropped; the rest in the order given (ties keep the form's).
 */
export function moduleFromRows(rows: ModuleRows, current: ModuleSource): { module: ModuleSource } | { errors: Record<string, UserText> } {
  const errors: Record<string, UserText> = {};
  /** `what` names the field for the catalog's select (editions.errors.empty and .tooLong). */
  const need = (field: string, value: string, what: string, max: number) => {
    if (!value.trim()) errors[field] = msg('editions.errors.empty', { field: what });
    else if (value.trim().length > max) errors[field] = msg('editions.errors.tooLong', { field: what, max });
  };
  need('title', rows.title, 'moduleTitle', 200);
  need('summary', rows.summary, 'summary', 200);
  need('framing', rows.framing, 'framing', 20_000);
  const minutes = Number(rows.minutes);
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > 240) errors.minutes = msg('editions.errors.minutes', { min: 5, max: 240 });

  const readings: ModuleSource['readings'] = [];
  rows.readings.forEach((r, i) => {
    if (!r.title.trim() && !r.link.trim() && !r.body.trim()) return;
    need(`reading_${i}_title`, r.title, 'readingTitle', 200);
    need(`reading_${i}_body`, r.body, 'readingBody', 5000);
    if (r.link.trim() && !isHttpLink(r.link.trim())) errors[`reading_${i}_link`] = msg('editions.errors.link');
    readings.push({ title: r.title.trim(), body: r.body.trim(), ...(r.link.trim() ? { link: r.link.trim() } : {}) });
  });

  const kept: Array<{ row: ActivityRow; index: number; order: number }> = [];
  rows.activities.forEach((a, i) => {
    if (a.remove || (!a.title.trim() && !a.prompt.trim())) return;
    need(`activity_${i}_title`, a.title, 'activityTitle', 200);
    need(`activity_${i}_prompt`, a.prompt, 'activityPrompt', 5000);
    if (!ACTIVITY_KINDS.includes(a.kind as ActivityKind)) errors[`activity_${i}_kind`] = msg('editions.errors.kind');
    const order = a.order.trim() === '' ? i + 1 : Number(a.order);
    if (!Number.isFinite(order)) errors[`activity_${i}_order`] = msg('editions.errors.position');
    kept.push({ row: a, index: i, order });
  });
  if (kept.length === 0) errors.activities = msg('editions.errors.noActivity');
  if (kept.length > MAX_ACTIVITIES) errors.activities = msg('editions.errors.tooManyActivities', { max: MAX_ACTIVITIES });

  const doToday = rows.doToday.split('\n').map((l) => l.trim()).filter(Boolean);
  if (doToday.length > 6) errors.doToday = msg('editions.errors.doTodayCount', { max: 6 });
  else if (doToday.some((l) => l.length > 300)) errors.doToday = msg('editions.errors.doTodayLength', { max: 300 });
  if (Object.keys(errors).length > 0) return { errors };

  const ids = new Set<string>();
  const unique = (base: string) => {
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
    ids.add(id);
    return id;
  };
  const groupNorms = new Map(current.activities.map((a) => [a.id, a.groupNorms]));
  // Existing ids first, so a new activity never takes the id learners' answers are filed under.
  for (const k of kept) if (k.row.id && current.activities.some((a) => a.id === k.row.id)) ids.add(k.row.id);
  const activities = kept
    .sort((a, b) => a.order - b.order || a.index - b.index)
    .map(({ row }) => {
      const existing = row.id !== '' && current.activities.some((a) => a.id === row.id);
      const id = existing ? row.id : unique(kebabOf(row.title));
      const norms = existing ? groupNorms.get(row.id) : undefined;
      return { id, kind: row.kind as ActivityKind, title: row.title.trim(), prompt: row.prompt.trim(), required: row.required, ...(norms ? { groupNorms: true } : {}) };
    });
  return {
    module: {
      id: current.id,
      slug: current.slug,
      title: rows.title.trim(),
      summary: rows.summary.trim(),
      estimatedMinutes: minutes,
      readings,
      activities,
      ...(doToday.length > 0 ? { doToday } : {}),
      framing: rows.framing.trim(),
    },
  };
}

/** The five-factor form: a label and a description per factor (the ids never change). */
export function fiveFactorsFromForm(body: Record<string, string>): { fiveFactors: EditionContent['fiveFactors'] } | { errors: Record<string, UserText> } {
  const errors: Record<string, UserText> = {};
  const fiveFactors = FIVE_FACTORS.map((f) => {
    const label = (body[`${f.id}_label`] ?? '').trim();
    const description = (body[`${f.id}_description`] ?? '').trim();
    if (!label || label.length > 100) errors[`${f.id}_label`] = msg('editions.errors.factorName', { max: 100 });
    if (!description || description.length > 400) errors[`${f.id}_description`] = msg('editions.errors.factorDescription', { max: 400 });
    return { id: f.id, label, description };
  });
  return Object.keys(errors).length > 0 ? { errors } : { fiveFactors };
}

// The nine workshop modules: an edition's content (Markdown sources, as content/modules/NN-slug.md
// holds them: YAML front matter checked strictly with zod, then the framing text) and the Workshop
// built from it (Markdown rendered here with raw HTML off). The default edition is read once at boot
// from content/ (workshop-files.ts); a tenant's editions are stored as the same content in JSON (server/editions/).
// Pure: no Express, no database, no state.
import matter from 'gray-matter';
import MarkdownIt from 'markdown-it';
import YAML from 'yaml';
import { z } from 'zod';
import { compactLatin1, compactLatin1Html } from '../http/latin1-handlebars.ts';

export const MODULE_COUNT = 9;

export const ACTIVITY_KINDS = [
  'reflection',
  'discussion',
  'practice',
  'curation',
  'five-factor-check',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** The modules that open and close the workshop with a five-factor check. */
export const FIVE_FACTOR_CHECK_MODULES: readonly number[] = [1, MODULE_COUNT];

/** The five conditions for social learning, each rated 1–5 (with a comment) in a five-factor check. */
export const FIVE_FACTORS = [
  {
    id: 'intention',
    label: 'Intention',
    description: 'You know what you want to learn, and how it connects to your real work.',
  },
  {
    id: 'propensity-and-skill',
    label: 'Individual propensity and skill',
    description:
      'You want to learn with others, and you have the conversation and online skills to do it well.',
  },
  {
    id: 'relationship-strength',
    label: 'Relationship strength',
    description: 'You know and trust people you can learn with, and they know and trust you.',
  },
  {
    id: 'activity-match',
    label: 'Activity match',
    description:
      'You choose the way of learning together (asking, stories, mentoring, co-learning…) that fits the need.',
  },
  {
    id: 'tool-access',
    label: 'Tool access',
    description: 'You have the tools, time and places to reach people and share what you learn.',
  },
] as const;
export type FiveFactorId = (typeof FIVE_FACTORS)[number]['id'];
export const FIVE_FACTOR_IDS = FIVE_FACTORS.map((f) => f.id) as [FiveFactorId, ...FiveFactorId[]];

export interface Activity {
  readonly id: string;
  readonly kind: ActivityKind;
  readonly title: string;
  readonly promptHtml: string;
  readonly required: boolean;
  /** A discussion whose outcome is the group's norms: the page links to the norms editor. */
  readonly groupNorms: boolean;
}

export interface Reading {
  readonly title: string;
  /** Where the reading lives (an edition's own intranet article, say); http(s) only. */
  readonly link: string | undefined;
  readonly bodyHtml: string;
}

export interface WorkshopModule {
  readonly id: number;
  readonly slug: string;
  readonly title: string;
  readonly summary: string;
  readonly estimatedMinutes: number;
  readonly framingHtml: string;
  /** Words in the framing text (headings included, Markdown syntax not). */
  readonly wordCount: number;
  readonly readings: readonly Reading[];
  readonly activities: readonly Activity[];
  /** Short things to try at work this week ("do today"), shown beside the activities. */
  readonly doToday: readonly string[];
}

export interface FiveFactor {
  readonly id: FiveFactorId;
  readonly label: string;
  readonly description: string;
}

export interface Workshop {
  /** Modules 1..9, in order. */
  readonly modules: readonly WorkshopModule[];
  /** The five factors as this edition words them (ids fixed: the aggregate compares across editions). */
  readonly fiveFactors: readonly FiveFactor[];
  byId(id: number): WorkshopModule | undefined;
  bySlug(slug: string): WorkshopModule | undefined;
}

/** Thrown when a content file is missing or malformed; the message names the file. */
export class WorkshopContentError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`Workshop content ${file}: ${problem}`);
    this.name = 'WorkshopContentError';
    this.file = file;
  }
}

const FILE_NAME = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;
const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const text = z.string().trim().min(1);
const kebab = z.string().regex(KEBAB, 'must be kebab-case (a-z, 0-9, single hyphens)');
const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, 'must be a link starting with http:// or https://');

const ReadingSchema = z.strictObject({ title: text.max(200), link: httpUrl.optional(), body: text.max(5000) });

const ActivitySchema = z.strictObject({
  id: kebab.max(60),
  kind: z.enum(ACTIVITY_KINDS),
  title: text.max(200),
  prompt: text.max(5000),
  required: z.boolean(),
  groupNorms: z.boolean().optional(),
});

/** A module file's front matter, as any edition may write it (the editor's and an import's rules). */
const EditionFrontMatterSchema = z.strictObject({
  id: z.int().min(1).max(MODULE_COUNT),
  slug: kebab.max(60),
  title: text.max(200),
  summary: text.max(200),
  estimatedMinutes: z.int().min(5).max(240),
  readings: z.array(ReadingSchema).max(4),
  activities: z.array(ActivitySchema).min(1, 'a module needs at least one activity').max(8),
  doToday: z.array(text.max(300)).max(6).optional(),
});
type FrontMatter = z.infer<typeof EditionFrontMatterSchema>;

function checkActivities(m: FrontMatter, ctx: z.RefinementCtx, path: PropertyKey[] = []): void {
  const seen = new Set<string>();
  m.activities.forEach((a, i) => {
    if (seen.has(a.id)) {
      ctx.addIssue({ code: 'custom', path: [...path, 'activities', i, 'id'], message: `duplicate activity id "${a.id}"` });
    }
    seen.add(a.id);
  });
  const checks = m.activities.filter((a) => a.kind === 'five-factor-check').length;
  if (checks > 0 && !FIVE_FACTOR_CHECK_MODULES.includes(m.id)) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'activities'],
      message: `five-factor-check is only allowed in modules ${FIVE_FACTOR_CHECK_MODULES.join(' and ')}`,
    });
  } else if (checks > 1) {
    ctx.addIssue({ code: 'custom', path: [...path, 'activities'], message: `module ${m.id} has ${checks} five-factor-checks; one at most` });
  }
}

/** Our own nine modules follow stricter house rules (the content linter's), on top of an edition's. */
const HouseFrontMatterSchema = EditionFrontMatterSchema.extend({
  readings: z.array(ReadingSchema).min(1).max(2),
  activities: z.array(ActivitySchema).min(2).max(4),
}).superRefine((m, ctx) => {
  checkActivities(m, ctx);
  if (!m.activities.some((a) => a.required)) {
    ctx.addIssue({ code: 'custom', path: ['activities'], message: 'at least one activity must be required' });
  }
  if (!m.activities.some((a) => a.kind === 'discussion')) {
    ctx.addIssue({ code: 'custom', path: ['activities'], message: 'at least one activity must be a discussion' });
  }
  const checks = m.activities.filter((a) => a.kind === 'five-factor-check').length;
  if (FIVE_FACTOR_CHECK_MODULES.includes(m.id) && checks !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['activities'],
      message: `module ${m.id} must have exactly one five-factor-check (found ${checks})`,
    });
  }
});

const ModuleSourceSchema = EditionFrontMatterSchema.extend({ framing: text.max(20_000) });
export type ModuleSource = z.infer<typeof ModuleSourceSchema>;

export const FiveFactorSchema = z.strictObject({ id: z.enum(FIVE_FACTOR_IDS), label: text.max(100), description: text.max(400) });

/**
 * An edition's content: the Markdown sources of its nine modules and its five-factor wording. Stored
 * as JSON in edition_versions.content, written to files as content/ holds them. The editor's and an
 * import's rules; our own content/ follows stricter ones too.
 */
export const EditionContentSchema = z
  .strictObject({
    modules: z.array(ModuleSourceSchema).min(1, 'An edition needs at least one module.').max(MODULE_COUNT),
    fiveFactors: z.array(FiveFactorSchema).length(FIVE_FACTORS.length),
  })
  .superRefine((c, ctx) => {
    c.modules.forEach((m, i) => checkActivities(m, ctx, ['modules', i]));
    const ids = new Set(c.modules.map((m) => m.id));
    const missing = Array.from({ length: MODULE_COUNT }, (_, i) => i + 1).filter((id) => !ids.has(id));
    if (ids.size !== c.modules.length) ctx.addIssue({ code: 'custom', path: ['modules'], message: 'two modules have the same number' });
    else if (missing.length > 0) ctx.addIssue({ code: 'custom', path: ['modules'], message: `The workshop has nine modules: module(s) ${missing.join(', ')} missing.` });
    if (new Set(c.modules.map((m) => m.slug)).size !== c.modules.length) ctx.addIssue({ code: 'custom', path: ['modules'], message: 'two modules have the same slug' });
    if (new Set(c.fiveFactors.map((f) => f.id)).size !== c.fiveFactors.length) ctx.addIssue({ code: 'custom', path: ['fiveFactors'], message: 'each of the five factors once' });
  });
export type EditionContent = z.infer<typeof EditionContentSchema>;

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: true });

/** The one Markdown renderer of workshop content (framing, readings, prompts; the editor's preview). */
export function renderWorkshopMarkdown(source: string): string {
  return markdown.render(source);
}

function onlyYaml(): never {
  throw new Error('only YAML front matter is allowed');
}

const MATTER_OPTIONS = {
  language: 'yaml',
  engines: {
    yaml: (src: string): object => YAML.parse(src, { uniqueKeys: true }) ?? {},
    javascript: onlyYaml,
    json: onlyYaml,
    coffee: onlyYaml,
  },
};

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  }
  return out || '(front matter)';
}

function countWords(source: string): number {
  let plain = '';
  for (const token of markdown.parse(source, {})) {
    if (token.type !== 'inline') continue;
    for (const child of token.children ?? []) {
      if (child.type === 'text' || child.type === 'code_inline') plain += child.content;
      else if (child.type === 'softbreak' || child.type === 'hardbreak') plain += ' ';
    }
    plain += ' ';
  }
  return plain.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)?.length ?? 0;
}

/**
 * One module file (front matter + framing) → its source; `house`: our own content's stricter rules.
 * `where` names the file in errors (a path, or a name inside an uploaded zip).
 */
export function parseModuleFile(where: string, name: string, source: string, house = false): ModuleSource {
  const fail = (problem: string): never => {
    throw new WorkshopContentError(where, problem);
  };
  const fileName = FILE_NAME.exec(name);
  if (!fileName) return fail('file name must look like 01-some-slug.md');

  if (!matter.test(source)) return fail('missing YAML front matter (the file must start with ---)');
  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = matter(source, MATTER_OPTIONS);
  } catch (err) {
    return fail(`front matter is not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }

  const result = (house ? HouseFrontMatterSchema : EditionFrontMatterSchema).safeParse(parsed.data);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    return fail(`invalid front matter\n${lines.join('\n')}`);
  }
  const data = result.data;

  if (Number(fileName[1]) !== data.id) fail(`file prefix ${fileName[1]} does not match id ${data.id}`);
  if (fileName[2] !== data.slug) fail(`file name slug "${fileName[2]}" does not match slug "${data.slug}"`);
  const framing = parsed.content.trim();
  if (!framing) fail('the framing text (Markdown after the front matter) is empty');
  return { ...data, framing };
}

/** A module's source as its file: `NN-slug.md` with YAML front matter, then the framing text. */
export function moduleFile(m: ModuleSource): { name: string; text: string } {
  const { framing, ...front } = m;
  return { name: `${String(m.id).padStart(2, '0')}-${m.slug}.md`, text: `---\n${YAML.stringify(front, { lineWidth: 0 })}---\n\n${framing}\n` };
}

/**
 * An edition's content → the Workshop the pages read (Markdown rendered once, here). Its text is kept
 * as one-byte strings where it can be, and its HTML as Latin-1 (server/http/latin1-handlebars.ts):
 * both are written on page after page.
 */
export function buildWorkshop(content: EditionContent): Workshop {
  const text = compactLatin1;
  const html = (source: string) => compactLatin1Html(markdown.render(source));
  const modules = Object.freeze(
    [...content.modules]
      .sort((a, b) => a.id - b.id)
      .map((m): WorkshopModule =>
        Object.freeze({
          id: m.id,
          slug: m.slug,
          title: text(m.title),
          summary: text(m.summary),
          estimatedMinutes: m.estimatedMinutes,
          framingHtml: html(m.framing),
          wordCount: countWords(m.framing),
          readings: Object.freeze(m.readings.map((r) => Object.freeze({ title: text(r.title), link: r.link && text(r.link), bodyHtml: html(r.body) }))),
          activities: Object.freeze(
            m.activities.map((a) =>
              Object.freeze({ id: a.id, kind: a.kind, title: text(a.title), promptHtml: html(a.prompt), required: a.required, groupNorms: a.groupNorms === true }),
            ),
          ),
          doToday: Object.freeze((m.doToday ?? []).map(text)),
        }),
      ),
  );
  const byId = new Map(modules.map((m) => [m.id, m]));
  const bySlug = new Map(modules.map((m) => [m.slug, m]));
  return Object.freeze({
    modules,
    fiveFactors: Object.freeze(content.fiveFactors.map((f) => Object.freeze({ ...f, label: text(f.label), description: text(f.description) }))),
    byId: (id: number) => byId.get(id),
    bySlug: (slug: string) => bySlug.get(slug),
  });
}

/** The five factors as we word them, for an edition that does not reword them. */
export function defaultFiveFactors(): EditionContent['fiveFactors'] {
  return FIVE_FACTORS.map((f) => ({ id: f.id, label: f.label, description: f.description }));
}

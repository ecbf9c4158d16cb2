// The nine workshop modules, read once at boot from content/modules/NN-slug.md.
// Each file is YAML front matter (checked strictly with zod) plus a Markdown framing text.
// Markdown is rendered here with raw HTML off. Pure: no Express, no database, no state.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import matter from 'gray-matter';
import MarkdownIt from 'markdown-it';
import YAML from 'yaml';
import { z } from 'zod';

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
}

export interface Workshop {
  /** Modules 1..9, in order. */
  readonly modules: readonly WorkshopModule[];
  byId(id: number): WorkshopModule | undefined;
  bySlug(slug: string): WorkshopModule | undefined;
}

/** Thrown at boot when a content file is missing or malformed; the message names the file. */
export class WorkshopContentError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`Workshop content ${file}: ${problem}`);
    this.name = 'WorkshopContentError';
    this.file = file;
  }
}

const DEFAULT_DIR = fileURLToPath(new URL('../../content/modules/', import.meta.url));
const FILE_NAME = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;
const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const text = z.string().trim().min(1);
const kebab = z.string().regex(KEBAB, 'must be kebab-case (a-z, 0-9, single hyphens)');

const ReadingSchema = z.strictObject({ title: text, body: text });

const ActivitySchema = z.strictObject({
  id: kebab,
  kind: z.enum(ACTIVITY_KINDS),
  title: text,
  prompt: text,
  required: z.boolean(),
  groupNorms: z.boolean().optional(),
});

const FrontMatterSchema = z
  .strictObject({
    id: z.int().min(1).max(MODULE_COUNT),
    slug: kebab,
    title: text,
    summary: text.max(200),
    estimatedMinutes: z.int().min(5).max(240),
    readings: z.array(ReadingSchema).min(1).max(2),
    activities: z.array(ActivitySchema).min(2).max(4),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.activities.forEach((a, i) => {
      if (seen.has(a.id)) {
        ctx.addIssue({ code: 'custom', path: ['activities', i, 'id'], message: `duplicate activity id "${a.id}"` });
      }
      seen.add(a.id);
    });
    if (!m.activities.some((a) => a.required)) {
      ctx.addIssue({ code: 'custom', path: ['activities'], message: 'at least one activity must be required' });
    }
    if (!m.activities.some((a) => a.kind === 'discussion')) {
      ctx.addIssue({ code: 'custom', path: ['activities'], message: 'at least one activity must be a discussion' });
    }
    const checks = m.activities.filter((a) => a.kind === 'five-factor-check').length;
    if (FIVE_FACTOR_CHECK_MODULES.includes(m.id)) {
      if (checks !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['activities'],
          message: `module ${m.id} must have exactly one five-factor-check (found ${checks})`,
        });
      }
    } else if (checks > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['activities'],
        message: `five-factor-check is only allowed in modules ${FIVE_FACTOR_CHECK_MODULES.join(' and ')}`,
      });
    }
  });

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: true });

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

function formatPath(path: readonly PropertyKey[]): string {
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

function parseModuleFile(path: string, name: string): WorkshopModule {
  const fail = (problem: string): never => {
    throw new WorkshopContentError(path, problem);
  };
  const fileName = FILE_NAME.exec(name);
  if (!fileName) return fail('file name must look like 01-some-slug.md');

  const source = readFileSync(path, 'utf8');
  if (!matter.test(source)) return fail('missing YAML front matter (the file must start with ---)');
  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = matter(source, MATTER_OPTIONS);
  } catch (err) {
    return fail(`front matter is not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }

  const result = FrontMatterSchema.safeParse(parsed.data);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    return fail(`invalid front matter\n${lines.join('\n')}`);
  }
  const data = result.data;

  if (Number(fileName[1]) !== data.id) fail(`file prefix ${fileName[1]} does not match id ${data.id}`);
  if (fileName[2] !== data.slug) fail(`file name slug "${fileName[2]}" does not match slug "${data.slug}"`);
  const framing = parsed.content.trim();
  if (!framing) fail('the framing text (Markdown after the front matter) is empty');

  return Object.freeze({
    id: data.id,
    slug: data.slug,
    title: data.title,
    summary: data.summary,
    estimatedMinutes: data.estimatedMinutes,
    framingHtml: markdown.render(framing),
    wordCount: countWords(framing),
    readings: Object.freeze(
      data.readings.map((r) => Object.freeze({ title: r.title, bodyHtml: markdown.render(r.body) })),
    ),
    activities: Object.freeze(
      data.activities.map((a) =>
        Object.freeze({
          id: a.id,
          kind: a.kind,
          title: a.title,
          promptHtml: markdown.render(a.prompt),
          required: a.required,
          groupNorms: a.groupNorms === true,
        }),
      ),
    ),
  });
}

/** Reads and checks every module file synchronously; throws WorkshopContentError on any problem. */
export function loadWorkshop(dir: string = DEFAULT_DIR): Workshop {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.md')).sort();
  } catch (err) {
    throw new WorkshopContentError(dir, `cannot read the content directory (${(err as Error).message})`);
  }

  const byId = new Map<number, WorkshopModule>();
  const bySlug = new Map<string, WorkshopModule>();
  const fileOf = new Map<WorkshopModule, string>();
  for (const name of names) {
    const path = join(dir, name);
    const mod = parseModuleFile(path, name);
    const sameId = byId.get(mod.id);
    if (sameId) throw new WorkshopContentError(path, `id ${mod.id} is also used by ${fileOf.get(sameId)}`);
    const sameSlug = bySlug.get(mod.slug);
    if (sameSlug) throw new WorkshopContentError(path, `slug "${mod.slug}" is also used by ${fileOf.get(sameSlug)}`);
    byId.set(mod.id, mod);
    bySlug.set(mod.slug, mod);
    fileOf.set(mod, path);
  }

  const missing: number[] = [];
  for (let id = 1; id <= MODULE_COUNT; id++) if (!byId.has(id)) missing.push(id);
  if (missing.length > 0) throw new WorkshopContentError(dir, `missing module(s) ${missing.join(', ')}`);

  const modules = Object.freeze([...byId.values()].sort((a, b) => a.id - b.id));
  return Object.freeze({
    modules,
    byId: (id: number) => byId.get(id),
    bySlug: (slug: string) => bySlug.get(slug),
  });
}

// Our own workshop content on disk: the default edition in content/modules (English) and in each
// language written under content/<lang>/, read and checked at start. The format is
// workshop-content.ts's; this file only finds and reads the files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { z } from 'zod';
import {
  buildWorkshop,
  defaultFiveFactors,
  FIVE_FACTORS,
  FiveFactorSchema,
  formatPath,
  MODULE_COUNT,
  parseModuleFile,
  WorkshopContentError,
  type EditionContent,
  type ModuleSource,
  type Workshop,
} from './workshop-content.ts';

const DEFAULT_DIR = fileURLToPath(new URL('../../content/modules/', import.meta.url));

/** Reads and checks our own module files (house rules); throws WorkshopContentError on any problem. */
export function loadEditionContent(dir: string = DEFAULT_DIR): EditionContent {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.md')).sort();
  } catch (err) {
    throw new WorkshopContentError(dir, `cannot read the content directory (${(err as Error).message})`);
  }

  const byId = new Map<number, ModuleSource>();
  const bySlug = new Map<string, ModuleSource>();
  const fileOf = new Map<ModuleSource, string>();
  for (const name of names) {
    const path = join(dir, name);
    const mod = parseModuleFile(path, name, readFileSync(path, 'utf8'), true);
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
  return { modules: [...byId.values()].sort((a, b) => a.id - b.id), fiveFactors: defaultFiveFactors() };
}

const CONTENT_ROOT = fileURLToPath(new URL('../../content/', import.meta.url));
const FiveFactorsFile = z.array(FiveFactorSchema).length(FIVE_FACTORS.length);

/**
 * The default edition in each language it is written in: English in content/modules (five factors as
 * FIVE_FACTORS words them), and another language in content/<lang>/ as an edition export holds it
 * (modules/NN-slug.md, five-factors.yaml). A language whose folder is absent is left out (a cohort in
 * it reads English); one that is there must be whole: every module, the same activities as English.
 */
export function loadDefaultEditions<L extends string>(languages: readonly L[], root: string = CONTENT_ROOT): { en: EditionContent } & Partial<Record<L, EditionContent>> {
  const en = loadEditionContent(join(root, 'modules'));
  const editions: Record<string, EditionContent> = { en };
  for (const lang of languages) {
    if (lang === 'en') continue;
    const dir = join(root, lang);
    let present: boolean;
    try {
      present = readdirSync(dir).length > 0;
    } catch {
      present = false;
    }
    if (!present) continue;
    const content = loadEditionContent(join(dir, 'modules'));
    try {
      content.fiveFactors = FiveFactorsFile.parse(YAML.parse(readFileSync(join(dir, 'five-factors.yaml'), 'utf8')));
    } catch (err) {
      throw new WorkshopContentError(join(dir, 'five-factors.yaml'), err instanceof z.ZodError ? err.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ') : 'missing or not valid YAML');
    }
    // Grades, completion and the aggregates compare across languages: the same activities, in the same modules.
    for (const m of content.modules) {
      const english = en.modules.find((e) => e.id === m.id)!;
      const shape = (x: ModuleSource) => x.activities.map((a) => `${a.id}:${a.kind}:${a.required}`).join(',');
      if (m.slug !== english.slug || shape(m) !== shape(english)) throw new WorkshopContentError(join(dir, 'modules'), `module ${m.id} must keep the English slug and activities (ids, kinds, required)`);
    }
    editions[lang] = content;
  }
  return editions as { en: EditionContent } & Partial<Record<L, EditionContent>>;
}

/** The default edition: our nine modules from content/modules. */
export function loadWorkshop(dir: string = DEFAULT_DIR): Workshop {
  return buildWorkshop(loadEditionContent(dir));
}

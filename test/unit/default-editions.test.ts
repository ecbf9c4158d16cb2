// The default edition in each content language: English from content/modules, another language from
// content/<lang>/ (the edition export's folder format), whole, with English's slugs and activities.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import YAML from 'yaml';
import { buildWorkshop, defaultFiveFactors, WorkshopContentError } from '../../server/modules/workshop-content.ts';
import { loadDefaultEditions } from '../../server/modules/workshop-files.ts';
import { CONTENT_LANGUAGES } from '../../server/i18n/locales.ts';
import { createWorkshops } from '../../server/editions/workshops.ts';

const CONTENT = path.resolve(import.meta.dirname, '../../content');

describe('default editions per content language', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'cw-content-'));
    cpSync(path.join(CONTENT, 'modules'), path.join(root, 'modules'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** content/xx/ as a copy of English with its titles marked, and its five factors. */
  function writeLanguage(lang: string, edit: (file: string, text: string) => string = (_f, t) => t.replace(/^title: (.*)$/m, `title: ${lang.toUpperCase()} $1`)): void {
    const dir = path.join(root, lang, 'modules');
    cpSync(path.join(root, 'modules'), dir, { recursive: true });
    for (const f of readdirSync(dir)) writeFileSync(path.join(dir, f), edit(f, readFileSync(path.join(dir, f), 'utf8')));
    writeFileSync(path.join(root, lang, 'five-factors.yaml'), YAML.stringify(defaultFiveFactors().map((f) => ({ ...f, label: `${lang.toUpperCase()} ${f.label}` }))));
  }

  it('ships every content language whole in content/ (the real files)', () => {
    const editions = loadDefaultEditions(CONTENT_LANGUAGES);
    expect(Object.keys(editions).sort()).to.deep.equal([...CONTENT_LANGUAGES].sort());
  });

  it('reads a language from content/<lang>/ and leaves out one that is not there', () => {
    writeLanguage('fr');
    const editions = loadDefaultEditions(['en', 'fr', 'es'], root);
    expect(Object.keys(editions).sort()).to.deep.equal(['en', 'fr']);
    expect(editions.fr!.modules[0]!.title).to.equal('FR Learning in the flow of work');
    expect(editions.fr!.fiveFactors[0]!.label).to.equal('FR Intention');
  });

  it('refuses a language with a module missing, or with an activity or slug that is not English’s', () => {
    writeLanguage('fr');
    rmSync(path.join(root, 'fr', 'modules', readdirSync(path.join(root, 'fr', 'modules'))[4]!));
    expect(() => loadDefaultEditions(['en', 'fr'], root)).to.throw(WorkshopContentError, /missing module\(s\) 5/);
    rmSync(path.join(root, 'fr'), { recursive: true });
    writeLanguage('fr', (f, t) => (f.startsWith('02-') ? t.replace('id: narrate-a-task', 'id: narrate-something') : t));
    expect(() => loadDefaultEditions(['en', 'fr'], root)).to.throw(WorkshopContentError, /module 2 must keep the English slug and activities/);
  });

  it('gives a cohort with no pinned version the default edition in its language, English where none is written', async () => {
    writeLanguage('fr');
    const editions = loadDefaultEditions(['en', 'fr', 'es'], root);
    const workshops = createWorkshops({ db: undefined as never, defaultWorkshops: { en: buildWorkshop(editions.en), fr: buildWorkshop(editions.fr!) } });
    const row = (language: string) => ({ tenantId: 't', editionVersionId: null, language });
    expect((await workshops.forCohortRow(row('fr'))).modules[0]!.title).to.equal('FR Learning in the flow of work');
    expect((await workshops.forCohortRow(row('en'))).modules[0]!.title).to.equal('Learning in the flow of work');
    expect((await workshops.forCohortRow(row('es'))).modules[0]!.title).to.equal('Learning in the flow of work');
  });
});

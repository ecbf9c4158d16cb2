// An edition as files and back: the default edition written out is content/'s own format (the
// loader's house rules accept it) and reads back equal; a zip round trip keeps every byte of text.
import { expect } from 'chai';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editionFiles, editionFromFiles, unzipEdition, zipEdition } from '../../server/editions/edition-files.ts';
import { loadEditionContent } from '../../server/modules/workshop-files.ts';
import { ValidationError } from '../../server/errors.ts';
import { i18nFor } from '../../server/i18n/i18n.ts';

describe('edition files', () => {
  const content = loadEditionContent();

  it('reads the default edition back equal from its files', () => {
    const back = editionFromFiles(editionFiles('Circlework', content));
    expect(back.name).to.equal('Circlework');
    expect(back.content).to.deep.equal(content);
  });

  it('writes module files the content/ loader accepts as they are', () => {
    const dir = mkdtempSync(join(tmpdir(), 'circlework-edition-'));
    try {
      mkdirSync(join(dir, 'modules'));
      for (const f of editionFiles('Circlework', content)) writeFileSync(join(dir, f.name), f.text);
      expect(loadEditionContent(join(dir, 'modules'))).to.deep.equal(content);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('round-trips through a zip, in a folder or not', async () => {
    const files = editionFiles('Managers', content);
    const unzipped = await unzipEdition(await zipEdition('managers', files));
    expect(unzipped.map((f) => f.name)).to.deep.equal(files.map((f) => `managers/${f.name}`));
    expect(editionFromFiles(unzipped).content).to.deep.equal(content);
  });

  it('names the file and the field of a module that breaks the rules', () => {
    const files = editionFiles('X', content).map((f) => (f.name === 'modules/04-good-conversations.md' ? { ...f, text: f.text.replace(/^(\s+)kind: discussion$/m, '$1kind: quiz') } : f));
    /** What the editor reads when the import is refused. */
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).to.be.instanceOf(ValidationError);
        return i18nFor('en').text((err as ValidationError).userMessage);
      }
      throw new Error('not refused');
    };
    expect(refusal(() => editionFromFiles(files))).to.match(/modules\/04-good-conversations\.md.*activities\[\d\]\.kind/s);
    expect(refusal(() => editionFromFiles(editionFiles('X', content).filter((f) => !f.name.startsWith('modules/09'))))).to.match(/module\(s\) 9 missing/);
  });
});

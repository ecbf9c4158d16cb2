// Catalog keys of modules, cohorts and LTI named as plain strings (label maps, zod messages, a
// message picked from a record) exist in English: the catalog test finds only msg(…) and t(…) calls.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readCatalog } from '../../server/i18n/catalogs.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('modules, cohorts and LTI catalog keys named as strings', () => {
  it('all exist in English', () => {
    const en = readCatalog('en');
    const files = ['server', 'lti'].flatMap((dir) =>
      readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile() && d.name.endsWith('.ts'))
        .map((d) => path.join(d.parentPath, d.name)),
    );
    const named = new Map<string, string>();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/'((?:modules|cohorts|lti)\.[a-z][\w]*(?:\.[a-z][\w]*)+)'/g)) named.set(m[1]!, path.relative(root, file));
    }
    expect(named.size).to.be.greaterThan(50);
    expect([...named].filter(([key]) => !(key in en)).map(([key, file]) => `${key} (${file})`)).to.deep.equal([]);
  });
});

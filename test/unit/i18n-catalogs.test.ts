// The catalogs are complete and consistent: every shipped language has exactly English's keys, with
// the same placeholders; every key a view or the server names exists; the pseudo-locales keep
// messages formattable. A missing key fails here, not on a French facilitator's page.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { readCatalog, readCatalogs } from '../../server/i18n/catalogs.ts';
import { SHIPPED_LOCALES } from '../../server/i18n/locales.ts';
import { i18nFor } from '../../server/i18n/i18n.ts';

const root = path.resolve(import.meta.dirname, '../..');

function argumentsOf(ast: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const el of ast) {
    if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) into.add(el.value);
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      into.add(el.value);
      for (const o of Object.values(el.options)) argumentsOf(o.value, into);
    }
    if (el.type === TYPE.tag) {
      into.add(`<${el.value}>`);
      argumentsOf(el.children, into);
    }
  }
  return into;
}

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && ext.test(d.name))
    .map((d) => path.join(d.parentPath, d.name));
}

describe('i18n catalogs', () => {
  const en = readCatalog('en');

  for (const locale of SHIPPED_LOCALES.filter((l) => l !== 'en')) {
    it(`${locale} has every English key, no other, with the same placeholders and tags`, () => {
      const other = readCatalog(locale);
      const missing = Object.keys(en).filter((k) => !(k in other));
      const extra = Object.keys(other).filter((k) => !(k in en));
      expect(missing, `missing in locales/${locale}`).to.deep.equal([]);
      expect(extra, `in locales/${locale} but not in English`).to.deep.equal([]);
      const differing = Object.keys(en).filter((k) => [...argumentsOf(parse(en[k]!))].sort().join() !== [...argumentsOf(parse(other[k]!))].sort().join());
      expect(differing, `placeholders differ in locales/${locale}`).to.deep.equal([]);
    });
  }

  it('every key the views name ({{t "…"}}, {{tm "…"}}) exists in English', () => {
    const used = new Map<string, string>();
    for (const file of filesUnder(path.join(root, 'views'), /\.hbs$/)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:\{\{\{?\s*|\()(?:t|tm)\s+"([^"]+)"/g)) used.set(m[1]!, path.relative(root, file));
    }
    expect(used.size).to.be.greaterThan(0);
    const missing = [...used].filter(([k]) => !(k in en)).map(([k, f]) => `${k} (${f})`);
    expect(missing).to.deep.equal([]);
  });

  it('every key the server names (msg(…), t(…)) exists in English', () => {
    const missing: string[] = [];
    for (const file of ['server', 'lti'].flatMap((dir) => filesUnder(path.join(root, dir), /\.ts$/))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:msg|t|html|textKey)\(\s*'([a-z][\w-]*(?:\.[\w-]+)+)'/g)) {
        if (!(m[1]! in en)) missing.push(`${m[1]} (${path.relative(root, file)})`);
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('pseudo-locales format every message (placeholders, plurals and tags intact)', () => {
    const all = readCatalogs();
    expect(Object.keys(all['en-XA'])).to.deep.equal(Object.keys(en));
    for (const locale of ['en-XA', 'ar-XB'] as const) {
      const i18n = i18nFor(locale);
      for (const key of Object.keys(en)) expect(() => i18n.html(key, { count: 2, n: 2 }), `${locale} ${key}`).not.to.throw();
    }
    expect(i18nFor('en-XA').t('common.header.signOut')).to.equal('⟦Šîĝñ öûţ⟧');
    expect(i18nFor('ar-XB').dir).to.equal('rtl');
  });

  it('an unknown key throws outside production (so a test that renders it fails)', () => {
    expect(() => i18nFor('en').t('no.such.key')).to.throw(/no\.such\.key/);
  });

  it('a message with tags escapes its values and renders only the allowed tags', () => {
    expect(i18nFor('en').html('errors.page.reference', { requestId: '<script>' })).to.equal('If you contact support, mention reference <code>&lt;script&gt;</code>.');
  });
});

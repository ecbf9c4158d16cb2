// The message catalogs: locales/<lang>/<area>.json, flat keys ("discussions.thread.reply") to ICU
// messages, read once at boot. Every message is parsed here, so a broken plural fails the start (and
// the catalog test), not a page. The pseudo-locales are made from English.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { printAST } from '@formatjs/icu-messageformat-parser/printer.js';
import { SHIPPED_LOCALES, type Locale, type ShippedLocale } from './locales.ts';

export type Catalog = Readonly<Record<string, string>>;

export const LOCALES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));

/** One language's catalog: every file of locales/<lang>/ merged; a key in two files is an error. */
export function readCatalog(locale: ShippedLocale, dir: string = LOCALES_DIR): Catalog {
  const langDir = path.join(dir, locale);
  const messages: Record<string, string> = {};
  const from: Record<string, string> = {};
  for (const file of readdirSync(langDir).filter((f) => f.endsWith('.json')).sort()) {
    const data = JSON.parse(readFileSync(path.join(langDir, file), 'utf8')) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error(`locales/${locale}/${file}: not an object of messages`);
    for (const [key, message] of Object.entries(data)) {
      if (typeof message !== 'string') throw new Error(`locales/${locale}/${file}: ${key} is not a string`);
      if (key in messages) throw new Error(`locales/${locale}/${file}: ${key} is also in ${from[key]}`);
      try {
        parse(message);
      } catch (err) {
        throw new Error(`locales/${locale}/${file}: ${key} is not a valid ICU message (${(err as Error).message})`);
      }
      messages[key] = message;
      from[key] = file;
    }
  }
  return Object.freeze(messages);
}

// Accented look-alikes: the text stays readable while a plain ASCII word stands out.
const ACCENTED: Record<string, string> = Object.fromEntries(
  [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c, i) => [c, [...'åƀçđéƒĝĥîĵķłɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶŁṀÑÖÞǪŔŠŢÛṼŴẊÝŽ'][i]!]),
);
const RLO = '\u202e';
const PDF = '\u202c';

function mapLiterals(ast: MessageFormatElement[], f: (text: string) => string): MessageFormatElement[] {
  return ast.map((el) => {
    if (el.type === TYPE.literal) return { ...el, value: f(el.value) };
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      return { ...el, options: Object.fromEntries(Object.entries(el.options).map(([k, o]) => [k, { ...o, value: mapLiterals(o.value, f) }])) };
    }
    if (el.type === TYPE.tag) return { ...el, children: mapLiterals(el.children, f) };
    return el;
  });
}

/** A pseudo-locale's catalog made from English: placeholders, plurals and tags keep working. */
export function pseudoCatalog(english: Catalog, locale: Exclude<Locale, ShippedLocale>): Catalog {
  const transform =
    locale === 'en-XA'
      ? (s: string) => s.replace(/[a-zA-Z]/g, (c) => ACCENTED[c]!)
      : (s: string) => (s.trim() ? `${RLO}${s}${PDF}` : s);
  return Object.freeze(
    Object.fromEntries(
      Object.entries(english).map(([key, message]) => {
        const printed = printAST(mapLiterals(parse(message), transform));
        return [key, locale === 'en-XA' ? `⟦${printed}⟧` : printed];
      }),
    ),
  );
}

/** Every shipped language's catalog, plus the pseudo-locales made from English. */
export function readCatalogs(dir: string = LOCALES_DIR): Record<Locale, Catalog> {
  const shipped = Object.fromEntries(SHIPPED_LOCALES.map((l) => [l, readCatalog(l, dir)])) as Record<ShippedLocale, Catalog>;
  return { ...shipped, 'en-XA': pseudoCatalog(shipped.en, 'en-XA'), 'ar-XB': pseudoCatalog(shipped.en, 'ar-XB') };
}

// One language's words and formats for one request, email or job: `t` looks a message up in the
// catalog and formats it with ICU (plurals, select, numbers and dates per locale). Catalogs are read
// once per process; an I18n per locale is built once and shared.
import { createIntl, createIntlCache, type IntlShape } from '@formatjs/intl';
import Handlebars from 'handlebars';
import { IntlMessageFormat, type Formats } from 'intl-messageformat';
import { readCatalogs, type Catalog } from './catalogs.ts';
import { DEFAULT_LOCALE, directionOf, isLocale, PSEUDO_LOCALES, SHIPPED_LOCALES, type Locale } from './locales.ts';

export type MessageValues = Record<string, string | number | Date | null | undefined>;
/** Values of an HTML message: text (escaped), or markup the caller built and escaped itself (a SafeString). */
export type HtmlValues = Record<string, MessageValues[string] | Handlebars.SafeString>;

/**
 * A message named by its catalog key, for text built where no language is known yet (a service's
 * error, a validation message): whoever shows it translates it (`i18n.text`).
 */
export interface MessageRef {
  readonly key: string;
  readonly values?: MessageValues | undefined;
}

export function msg(key: string, values?: MessageValues): MessageRef {
  return values ? { key, values } : { key };
}

export function isMessageRef(value: unknown): value is MessageRef {
  return typeof value === 'object' && value !== null && typeof (value as MessageRef).key === 'string';
}

export interface I18n {
  readonly locale: Locale;
  /** For <html lang>. */
  readonly lang: string;
  readonly dir: 'ltr' | 'rtl';
  /** The message `key`, formatted. Plain text: escape it where it goes into HTML (Handlebars does). */
  t(key: string, values?: MessageValues): string;
  /**
   * The message as HTML: values escaped (a SafeString value is the caller's markup, as it is), and
   * the few tags a message may carry rendered (<b>, <strong>, <em>, <code>, <kbd>, and <link>…</link>
   * around the value `href`).
   */
  html(key: string, values?: HtmlValues): string;
  /** A MessageRef translated; a string is passed through (already in the reader's language, or the user's own). */
  text(message: MessageRef | string): string;
  has(key: string): boolean;
  date(d: Date, style?: 'short' | 'medium' | 'long' | 'full'): string;
  dateTime(d: Date): string;
  number(n: number, options?: Parameters<IntlShape["formatNumber"]>[1]): string;
  list(items: readonly string[], type?: 'conjunction' | 'disjunction'): string;
}

/** What happens when a page asks for a key no catalog has; and whether the pseudo-locales are offered. */
let strict = true;
let onMissing: (key: string, locale: Locale) => void = () => {};
let catalogs: Record<Locale, Catalog> | undefined;
const byLocale = new Map<Locale, I18n>();

/**
 * Production shows the key and logs it (a page with one odd word beats a 500); everywhere else a
 * missing key throws, so a test that renders the page fails.
 */
export interface I18nOptions {
  production: boolean;
  onMissing?: (key: string, locale: Locale) => void;
}

/** The options of each open app, latest last: the latest still open decides (tests open several). */
const configured: I18nOptions[] = [];
function apply(): void {
  const latest = configured.at(-1);
  strict = !latest?.production;
  onMissing = latest?.onMissing ?? (() => {});
}

/** Sets the process's i18n behaviour for an app; the returned function, called when the app closes, takes it back. */
export function configureI18n(options: I18nOptions): () => void {
  configured.push(options);
  apply();
  return () => {
    const i = configured.indexOf(options);
    if (i >= 0) configured.splice(i, 1);
    apply();
  };
}

/** The locales a person may be given: the shipped ones, and outside production the pseudo-locales. */
export function offeredLocales(): readonly Locale[] {
  return strict ? [...SHIPPED_LOCALES, ...PSEUDO_LOCALES] : SHIPPED_LOCALES;
}

function allCatalogs(): Record<Locale, Catalog> {
  catalogs ??= readCatalogs();
  return catalogs;
}

const TAGS = ['b', 'strong', 'em', 'code', 'kbd'] as const;

/** ICU's date and time styles, in UTC: every date we show is a UTC date. */
function utcFormats(): Partial<Formats> {
  const utc = (styles: Record<string, Intl.DateTimeFormatOptions>) => Object.fromEntries(Object.entries(styles).map(([k, v]) => [k, { ...v, timeZone: 'UTC' }]));
  return { date: utc(IntlMessageFormat.formats.date), time: utc(IntlMessageFormat.formats.time) };
}

/**
 * What a message with these values is kept under: its key, then each value's name, kind and text
 * (apart by NUL, which no value holds: requests' text has it dropped, PostgreSQL text cannot hold it).
 * None for a date (its callers keep what they show, by the minute: relative-time.ts) or anything
 * else that is not plain text or a number.
 */
function formatId(key: string, values: HtmlValues | undefined): string | undefined {
  let id = key;
  for (const name in values) {
    const v = values[name];
    if (typeof v === 'string') id += `\u0000${name}\u0001${v}`;
    else if (typeof v === 'number') id += `\u0000${name}\u0002${v}`;
    else if (v === undefined || v === null) id += `\u0000${name}\u0003`;
    else if (v instanceof Handlebars.SafeString) id += `\u0000${name}\u0004${v.toString()}`;
    else return undefined;
  }
  return id;
}

/** Formatted messages of one language, the last few thousand (values include people's names). */
class KeptFormats extends Map<string, string> {
  override set(id: string, text: string): this {
    if (this.size >= 5000) this.clear();
    return super.set(id, text);
  }
}

function build(locale: Locale): I18n {
  const all = allCatalogs();
  // A shipped language's gap falls back to English (the catalog test keeps there being none).
  const messages = locale === DEFAULT_LOCALE ? all.en : { ...all.en, ...all[locale] };
  // Our English is British ("12 Dec 2026"), and the pseudo-locales format dates and numbers as it does.
  const formatLocale = locale === 'en' || locale === 'en-XA' || locale === 'ar-XB' ? 'en-GB' : locale;
  const intl: IntlShape<string> = createIntl({ locale: formatLocale, defaultLocale: DEFAULT_LOCALE, messages, timeZone: 'UTC', onError: () => {} }, createIntlCache());
  const missing = (key: string): string => {
    if (strict) throw new Error(`No message "${key}" in the catalogs (locales/en/*.json)`);
    onMissing(key, locale);
    return key;
  };
  // Each message compiled once and kept: @formatjs/intl's formatMessage memoizes its formatters by
  // serializing its arguments on every call, which was most of a long page's CPU (600 rows).
  const formats = utcFormats();
  const compiled = new Map<string, IntlMessageFormat>();
  const formatter = (key: string) => {
    let f = compiled.get(key);
    if (!f) compiled.set(key, (f = new IntlMessageFormat(messages[key]!, formatLocale, formats, { ignoreTag: false })));
    return f;
  };
  /** The kept formatter's answer; anything it refuses (a missing value) goes the forgiving way FormatJS does. */
  const format = (key: string, values: Record<string, unknown> | undefined): string | string[] => {
    try {
      return formatter(key).format(values as Record<string, string>) as string | string[];
    } catch {
      return intl.formatMessage({ id: key }, values as Record<string, string>) as string | string[];
    }
  };
  // A message reads the same every time it is given the same values: each is formatted once and kept
  // (a page's headings, labels and buttons, a count of replies, a module's title in a heading: a group
  // space asked for ~40 on every request, a dozen with values, each a trip through ICU's formatter).
  const formattedText = new KeptFormats();
  const formattedHtml = new KeptFormats();
  const keptOr = (kept: KeptFormats, key: string, values: HtmlValues | undefined, formatted: () => string | string[]): string => {
    const id = formatId(key, values);
    const found = id === undefined ? undefined : kept.get(id);
    if (found !== undefined) return found;
    const out = formatted();
    const text = Array.isArray(out) ? out.join('') : out;
    if (id !== undefined) kept.set(id, text);
    return text;
  };
  const t = (key: string, values?: MessageValues): string => {
    if (!(key in messages)) return missing(key);
    return keptOr(formattedText, key, values, () => format(key, values));
  };
  const html = (key: string, values?: HtmlValues): string => {
    if (!(key in messages)) return Handlebars.escapeExpression(missing(key));
    return keptOr(formattedHtml, key, values, () => {
      const escaped: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(values ?? {})) escaped[k] = v instanceof Handlebars.SafeString ? v.toString() : typeof v === 'string' ? Handlebars.escapeExpression(v) : v;
      for (const tag of TAGS) escaped[tag] = (chunks: string[]) => `<${tag}>${chunks.join('')}</${tag}>`;
      escaped.link = (chunks: string[]) => `<a href="${Handlebars.escapeExpression(String(values?.href ?? '#'))}">${chunks.join('')}</a>`;
      return format(key, escaped);
    });
  };
  const plainNumber = new Intl.NumberFormat(formatLocale);
  const conjunction = new Intl.ListFormat(formatLocale, { type: 'conjunction' });
  const disjunction = new Intl.ListFormat(formatLocale, { type: 'disjunction' });
  const dateFormats = new Map<string, Intl.DateTimeFormat>();
  const dateFormat = (style: string, options: Intl.DateTimeFormatOptions) => {
    let f = dateFormats.get(style);
    if (!f) dateFormats.set(style, (f = new Intl.DateTimeFormat(formatLocale, { timeZone: 'UTC', ...options })));
    return f;
  };
  return Object.freeze({
    locale,
    lang: locale,
    dir: directionOf(locale),
    t,
    html,
    text: (m: MessageRef | string) => (typeof m === 'string' ? m : t(m.key, m.values)),
    has: (key: string) => key in messages,
    date: (d: Date, style: 'short' | 'medium' | 'long' | 'full' = 'medium') => dateFormat(style, { dateStyle: style }).format(d),
    dateTime: (d: Date) => `${dateFormat('dateTime', { dateStyle: 'medium', timeStyle: 'short' }).format(d)} UTC`,
    // Plain numbers and lists (a table's every cell) through formatters kept for the locale.
    number: (n: number, options?: Parameters<IntlShape["formatNumber"]>[1]) => (options ? intl.formatNumber(n, options) : plainNumber.format(n)),
    list: (items: readonly string[], type: 'conjunction' | 'disjunction' = 'conjunction') => (type === 'conjunction' ? conjunction : disjunction).format(items),
  });
}

/** Whether `text` names a message of the English catalog (how a zod schema's message can be a key). */
export function isCatalogKey(text: string): boolean {
  return i18nFor(DEFAULT_LOCALE).has(text);
}

/** The I18n of a locale (English for anything we do not know). */
export function i18nFor(locale: string | null | undefined): I18n {
  const l: Locale = isLocale(locale, true) ? locale : DEFAULT_LOCALE;
  let i18n = byLocale.get(l);
  if (!i18n) byLocale.set(l, (i18n = build(l)));
  return i18n;
}

/** For tests: read the catalogs again (after writing a temporary one). */
export function resetI18n(read?: () => Record<Locale, Catalog>): void {
  catalogs = read?.();
  byLocale.clear();
}

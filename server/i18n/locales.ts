// Which languages Circlework speaks, and how a requested locale (a launch's, a browser's) is matched
// to one of them. BCP 47 matching is the library's (Canvas sends `en-GB`, `zh-Hant`, `en-GB-x-ukhe`).
import { match } from '@formatjs/intl-localematcher';

/** The interface languages we ship, complete (a test holds every catalog to English's keys). */
export const SHIPPED_LOCALES = ['en', 'fr', 'es'] as const;
export type ShippedLocale = (typeof SHIPPED_LOCALES)[number];

/**
 * Pseudo-locales, for finding what is not translated: `en-XA` accents and lengthens every catalog
 * string (a plain English word on the page was never looked up); `ar-XB` is right-to-left. Offered
 * only outside production.
 */
export const PSEUDO_LOCALES = ['en-XA', 'ar-XB'] as const;
export type PseudoLocale = (typeof PSEUDO_LOCALES)[number];
export type Locale = ShippedLocale | PseudoLocale;

/** The languages the default edition's modules are written in (content/ and content/<lang>/). */
export const CONTENT_LANGUAGES = ['en', 'fr', 'es'] as const satisfies readonly ShippedLocale[];
export type ContentLanguage = (typeof CONTENT_LANGUAGES)[number];

export const DEFAULT_LOCALE: ShippedLocale = 'en';

/** Each language's own name, for choosing one (a name in the reader's own language would need the list translated into every other). */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  'en-XA': 'Ëñgłîšh (pseudo)',
  'ar-XB': 'RTL (pseudo)',
};

export function isLocale(value: unknown, withPseudo = false): value is Locale {
  return (SHIPPED_LOCALES as readonly string[]).includes(value as string) || (withPseudo && (PSEUDO_LOCALES as readonly string[]).includes(value as string));
}

export function isContentLanguage(value: unknown): value is ContentLanguage {
  return (CONTENT_LANGUAGES as readonly string[]).includes(value as string);
}

/** Right-to-left scripts among ours (only the RTL pseudo-locale today; Arabic or Hebrew would join it). */
export function directionOf(locale: Locale): 'ltr' | 'rtl' {
  return locale === 'ar-XB' ? 'rtl' : 'ltr';
}

/**
 * The best of `available` for what was asked (in order of preference), or undefined when none fits.
 * Malformed tags are skipped rather than refused: a locale is a preference, never a reason to fail.
 */
export function matchLocale<L extends string>(requested: readonly (string | null | undefined)[], available: readonly L[]): L | undefined {
  const tags: string[] = [];
  for (const r of requested) {
    if (!r) continue;
    // Exact pseudo-locale tags first: the matcher would fold en-XA into en.
    if ((available as readonly string[]).includes(r)) return r as L;
    try {
      tags.push(...Intl.getCanonicalLocales(r.replace(/_/g, '-')));
    } catch {
      // not a BCP 47 tag
    }
  }
  if (tags.length === 0) return undefined;
  const NONE = 'und';
  const found = match(tags, available as readonly string[], NONE, { algorithm: 'best fit' });
  return found === NONE ? undefined : (found as L);
}

/** An Accept-Language header's tags, by quality (q=0 left out). */
export function acceptLanguageTags(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag!.trim(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((l) => l.tag && l.tag !== '*' && Number.isFinite(l.q) && l.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((l) => l.tag);
}

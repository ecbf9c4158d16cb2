// Formatting helpers for templates: presentation only, no rules. Words come from the catalogs
// through the request's I18n (`i18n` in the render's root context; English when a render has none).
import Handlebars from 'handlebars';
import { i18nFor, type I18n, type MessageRef, type MessageValues } from '../i18n/i18n.ts';
import { sizeLabel } from '../media/attachment-view.ts';

interface HelperOptions {
  hash?: MessageValues;
  data?: { root?: { i18n?: I18n } };
}

function i18nOf(options: HelperOptions | undefined): I18n {
  return options?.data?.root?.i18n ?? i18nFor('en');
}

/** The helper's options are its last argument (Handlebars appends them); earlier ones are the template's. */
function split(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  return { params: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}

export const helpers = {
  eq: (a: unknown, b: unknown) => a === b,
  concat: (...parts: unknown[]) => parts.slice(0, -1).join(''),
  /** {{t "area.page.what" count=n name=person.name}}: a catalog message as text (escaped). */
  t: (key: string, options: HelperOptions) => i18nOf(options).t(key, options.hash),
  /** {{tm "area.page.what" …}}: a message carrying <b>, <em>, <code>, <link> tags (values escaped). */
  tm: (key: string, options: HelperOptions) => new Handlebars.SafeString(i18nOf(options).html(key, options.hash)),
  /** {{translated message}}: a MessageRef a service built (an error, a validation message), or a string as it is. */
  translated: (message: MessageRef | string | undefined, options: HelperOptions) => (message === undefined || message === null ? '' : i18nOf(options).text(message)),
  /** {{localDate d}} or {{localDate d "long"}}: a date in the reader's locale (UTC). */
  localDate: (...args: unknown[]) => {
    const { params, options } = split(args);
    const d = params[0] instanceof Date ? params[0] : params[0] ? new Date(String(params[0])) : undefined;
    if (!d || Number.isNaN(d.getTime())) return '';
    return i18nOf(options).date(d, (params[1] as 'short' | 'medium' | 'long' | 'full' | undefined) ?? 'medium');
  },
  /** {{localDateTime d}}: a date and time in the reader's locale ("4 Dec 2026, 08:46 UTC"). */
  localDateTime: (d: unknown, options: HelperOptions) => (d instanceof Date ? i18nOf(options).dateTime(d) : ''),
  /** {{localNumber n}}: a number in the reader's locale. */
  localNumber: (n: unknown, options: HelperOptions) => (typeof n === 'number' ? i18nOf(options).number(n) : ''),
  /** {{localFileSize bytes}}: a file's size in the reader's locale ("2.1 MB"). */
  localFileSize: (bytes: unknown, options: HelperOptions) => (typeof bytes === 'number' ? sizeLabel(bytes, i18nOf(options)) : ''),
};

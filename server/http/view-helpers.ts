// Formatting helpers for templates: presentation only, no rules. Words come from the catalogs
// through the request's I18n (`i18n` in the render's root context; English when a render has none).
import Handlebars from 'handlebars';
import { i18nFor, type I18n, type MessageRef, type MessageValues } from '../i18n/i18n.ts';
import { sizeLabel } from '../media/attachment-view.ts';
import { compactLatin1 } from './latin1-handlebars.ts';
import { KEPT_PARTS, keptPartMark } from './page-parts.ts';
import { KeptFor } from '../cache/kept-for.ts';

interface HelperOptions {
  hash?: MessageValues;
  data?: { root?: { i18n?: I18n; [KEPT_PARTS]?: Buffer[] | undefined } };
}

interface BlockHelperOptions extends HelperOptions {
  fn(context: unknown): string;
}

function i18nOf(options: HelperOptions | undefined): I18n {
  return options?.data?.root?.i18n ?? i18nFor('en');
}

/** The helper's options are its last argument (Handlebars appends them); earlier ones are the template's. */
function split(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  return { params: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}

/**
 * What `{{#keep view "name"}}` blocks wrote, by the view object they were given, the block's name and
 * the reader's I18n. A big table or picture of kept figures (a 600-learner cohort's network, its
 * ties, its groups' weeks) is written once, not on every request: writing it from thousands of values
 * was most of the facilitator pages' CPU. Kept as one flat one-byte string and, for a page sent in
 * parts (page-parts.ts), as the bytes it encodes to.
 */
const keptBlocks = new KeptFor<[object, string, I18n], KeptBlock>();

/** A kept block as its text or, once a page was sent in parts with it, only as its bytes (not both: a 600-learner network is 0.5 MB). */
interface KeptBlock {
  html?: string | undefined;
  bytes?: Buffer | undefined;
}

/** How many kept blocks are being written (templates are written synchronously). */
let writingKeptBlock = 0;

/** The block's output, kept for `view`, its name and the reader's I18n: see `keep`. */
function keptBlock(view: unknown, name: unknown, options: BlockHelperOptions): string {
  // The name tells blocks given the same view apart (a page's and the report's, of one cohort's figures).
  if (typeof name !== 'string' || name === '') throw new Error('{{#keep view "name"}}: a kept block needs a name of its own');
  if (view === null || typeof view !== 'object') return options.fn(view);
  const block = keptBlocks.get([view, name, i18nOf(options)], () => {
    // A block kept inside it is written into it as text: a part's mark would name a part of this render only.
    writingKeptBlock++;
    try {
      return { html: compactLatin1(options.fn(view)) };
    } finally {
      writingKeptBlock--;
    }
  });
  const parts = options.data?.root?.[KEPT_PARTS];
  if (!parts || writingKeptBlock > 0) return block.html ?? compactLatin1(block.bytes!.toString('utf8'));
  if (!block.bytes) {
    block.bytes = Buffer.from(block.html!, 'utf8');
    block.html = undefined;
  }
  parts.push(block.bytes);
  return keptPartMark(parts.length - 1);
}

export const helpers = {
  /**
   * {{#keep view "name"}}…{{/keep}}: the block, written with `view` as its context, is kept for that
   * object, the block's name (one per block) and the reader's locale, and written as kept from then
   * on. Only for an object that never changes once made (a view kept with its figures, made again
   * when they change), and a block that writes nothing but `view` and catalog words: @root, the
   * request and the time are not looked at again.
   */
  keep: keptBlock,
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

// Discussion posts: Markdown source in, safe HTML out. Pure: no I/O, no state between calls.
// Posts are rendered once at write time (DESIGN.md §5) and the source is kept, so a post can be
// re-rendered whenever these rules change. Two layers, each enough on its own:
// 1. markdown-it with raw HTML off: whatever HTML a person types arrives as escaped text.
// 2. sanitize-html with an explicit allow-list over markdown-it's output, so a markdown-it bug (or
//    a future plugin) still cannot put active content on the page.
// No images: an <img> loads as soon as the page opens, so one in a post would tell its author
// (or a third party) who read it and when, from where (a tracking pixel), and it could pull in
// anything. A Markdown image becomes an ordinary link the reader may choose to follow.
import MarkdownIt from 'markdown-it';
import type { StateInline, Token } from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { ValidationError } from '../errors.ts';
import { msg, type I18n } from '../i18n/i18n.ts';

/** The longest post source we render, in UTF-16 code units (what `string.length` and zod count). */
export const MAX_POST_LENGTH = 20_000;

/** How much of a post `quoteForReply` quotes, in characters, before cutting at a word. */
export const QUOTE_LENGTH = 600;

export class PostTooLongError extends ValidationError {
  readonly length: number;
  constructor(length: number) {
    super(msg('discussions.errors.tooLong', { max: MAX_POST_LENGTH }), { body: msg('discussions.errors.tooLongField', { max: MAX_POST_LENGTH }) });
    this.length = length;
  }
}

/** Someone who can see the space, and so can be mentioned in it as `@handle` (any letter case). */
export interface Mentionable {
  personId: string;
  handle: string;
  name: string;
}

export interface RenderPostOptions {
  mentionable?: ReadonlyArray<Mentionable>;
}

export interface RenderedPost {
  /** Sanitised HTML: the one field templates may output unescaped. */
  html: string;
  /** The person ids mentioned, each once, in the order first mentioned. */
  mentions: string[];
}

/** Tags a rendered post may contain; everything else is discarded (its text kept). */
export const ALLOWED_TAGS: readonly string[] = [
  'p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a',
  'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span',
];

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const LINK_REL = 'nofollow noopener noreferrer';
/** Not in ALLOWED_TAGS: a tag renamed to this is dropped by the sanitiser, its text kept. */
const UNWRAP = 'circlework-unwrap';

// ---------------------------------------------------------------------------------------------
// Markdown

type RenderEnv = {
  mentionable: ReadonlyMap<string, Mentionable>;
  mentions: string[];
};

const HANDLE = /^[\p{L}\p{N}._-]+$/u;
const HANDLE_AT = /[\p{L}\p{N}._-]+/uy;
/** What may stand just before the `@` of a mention: so `ann@example.com` stays an address. */
const BEFORE_MENTION = /[\s([{"'‘“*_~]/u;

function mentionRule(state: StateInline, silent: boolean): boolean {
  const start = state.pos;
  if (state.src.charCodeAt(start) !== 0x40 /* @ */) return false;
  if (start > 0 && !BEFORE_MENTION.test(state.src.charAt(start - 1))) return false;
  const env = state.env as Partial<RenderEnv>;
  if (!env.mentionable || env.mentionable.size === 0) return false;

  HANDLE_AT.lastIndex = start + 1; // sticky: no copying of the rest of the text at every @
  const match = HANDLE_AT.exec(state.src);
  if (!match) return false;
  // "Thanks @ann." ends a sentence: try the whole run, then without trailing dots and dashes.
  let handle = match[0].slice(0, state.posMax - start - 1);
  let person = env.mentionable.get(handle.toLowerCase());
  while (!person && /[.-]$/.test(handle)) {
    handle = handle.slice(0, -1);
    person = env.mentionable.get(handle.toLowerCase());
  }
  if (!person) return false;

  if (!silent) {
    const token = state.push('mention', '', 0);
    token.meta = { personId: person.personId, name: person.name };
    if (env.mentions && !env.mentions.includes(person.personId)) env.mentions.push(person.personId);
  }
  state.pos = start + 1 + handle.length;
  return true;
}

function createMarkdown() {
  const md = new MarkdownIt('default', { html: false, linkify: true, typographer: true });
  md.inline.ruler.before('emphasis', 'mention', mentionRule);

  const escape = md.utils.escapeHtml;
  md.renderer.rules['mention'] = (tokens: Token[], idx: number) => {
    const { personId, name } = tokens[idx]?.meta as { personId: string; name: string };
    return `<span class="mention" data-person-id="${escape(personId)}">@${escape(name)}</span>`;
  };
  // An image becomes a link to it, labelled with its alt text (see the top of this file).
  md.renderer.rules['image'] = (tokens: Token[], idx: number) => {
    const token = tokens[idx];
    if (!token) return '';
    const src = String(token.attrGet('src') ?? '');
    const label = token.children?.map((child) => child.content).join('') || src;
    return `<a href="${escape(src)}">${escape(label)}</a>`;
  };
  return md;
}

const markdown = createMarkdown();

// ---------------------------------------------------------------------------------------------
// Sanitising

/** The href as the WHATWG parser (any browser) reads it, if it is absolute http(s) or mailto. */
export function safeHref(href: string | undefined): string | undefined {
  if (href === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  return LINK_PROTOCOLS.has(url.protocol) ? url.href : undefined;
}

export const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...ALLOWED_TAGS],
  allowedAttributes: { a: ['href', 'rel', 'target'], span: ['data-person-id'] },
  allowedClasses: { span: ['mention'] },
  allowedStyles: {},
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  allowVulnerableTags: false,
  disallowedTagsMode: 'discard',
  // Tags whose content is code or otherwise not prose: dropped together with the tag.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'template', 'title',
    'noembed', 'noframes', 'plaintext', 'iframe', 'object', 'applet'],
  enforceHtmlBoundary: false,
  transformTags: {
    h1: 'h3',
    h2: 'h3',
    s: 'del', // markdown-it writes ~~struck~~ as <s>
    // Every link opens apart from the page and passes nothing on; a link whose address is not
    // an absolute http(s)/mailto URL is unwrapped to its text.
    a: (_tagName, attribs): sanitizeHtml.Tag => {
      const href = safeHref(attribs['href']);
      if (href === undefined) return { tagName: UNWRAP, attribs: {} };
      return { tagName: 'a', attribs: { href, rel: LINK_REL, target: '_blank' } };
    },
    // Exactly the mention span the renderer makes, nothing else.
    span: (_tagName, attribs): sanitizeHtml.Tag => {
      const personId = attribs['data-person-id'];
      if (attribs['class'] !== 'mention' || !personId) return { tagName: UNWRAP, attribs: {} };
      return { tagName: 'span', attribs: { class: 'mention', 'data-person-id': personId } };
    },
  },
};

/**
 * The allow-list on its own, for HTML that did not come from `renderPost` this time (a stored post
 * checked again). `sanitizePostHtml(renderPost(s).html)` returns the same string.
 */
export function sanitizePostHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}

// ---------------------------------------------------------------------------------------------
// The two uses

/** Render a post's Markdown source to safe HTML, finding who it mentions. */
export function renderPost(markdownSource: string, opts: RenderPostOptions = {}): RenderedPost {
  if (markdownSource.length > MAX_POST_LENGTH) throw new PostTooLongError(markdownSource.length);
  const mentionable = new Map<string, Mentionable>();
  for (const person of opts.mentionable ?? []) {
    const key = person.handle.toLowerCase();
    if (HANDLE.test(person.handle) && !mentionable.has(key)) {
      mentionable.set(key, person);
    }
  }
  const env: RenderEnv = { mentionable, mentions: [] };
  const html = sanitizePostHtml(markdown.render(markdownSource, env));
  return { html, mentions: env.mentions };
}

/** Markdown-escape a display name, so it shows as typed and cannot become a link or a mention. */
function escapeMarkdownInline(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/[\\`*_{}[\]()<>#+\-.!|~@&]/g, '\\$&');
}

/**
 * The start of a post as a Markdown blockquote, to begin a reply with: "*Name wrote:*", then up
 * to about QUOTE_LENGTH characters of its source (cut at a word, marked with "…").
 */
export function quoteForReply(markdownSource: string, authorName: string, i18n: I18n): string {
  const source = markdownSource.replace(/\r\n?/g, '\n').trim();
  const chars = Array.from(source); // code points: never split a surrogate pair
  let excerpt = source;
  if (chars.length > QUOTE_LENGTH) {
    const head = chars.slice(0, QUOTE_LENGTH).join('');
    const lastSpace = head.search(/\s\S*$/);
    excerpt = `${(lastSpace > QUOTE_LENGTH * 0.8 ? head.slice(0, lastSpace) : head).trimEnd()} …`;
  }
  const name = escapeMarkdownInline(authorName) || i18n.t('discussions.someone');
  const lines = [`*${i18n.t('discussions.quote.wrote', { name })}*`, '', ...excerpt.split('\n')];
  return `${lines.map((line) => (line === '' ? '>' : `> ${line}`)).join('\n')}\n\n`;
}

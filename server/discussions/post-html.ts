// A post's HTML (views/partials/post.hbs), rendered here rather than by a partial call per post in
// the thread page: a post looks the same for every reader who stands in the same relation to it
// (author, facilitator, reader who gave kudos or not), and threads are read far more often than
// written, so each rendering is kept, keyed by a hash of its whole view. The key holds everything
// the template reads, so a kept rendering is right by construction (no invalidation): any change
// to the post, its kudos or the reader's relation to it is another key. Only someone who already
// holds the view (and so may see the post) can reach its rendering.
import { hash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { helpers } from '../http/view-helpers.ts';
import { createLatin1Handlebars } from '../http/latin1-handlebars.ts';
import type { postView } from './discussions.views.ts';
import type { I18n } from '../i18n/i18n.ts';

const partials = path.resolve(import.meta.dirname, '../../views/partials');

export type PostView = ReturnType<typeof postView>;
export type RenderPost = (post: PostView, i18n: I18n) => string;
/**
 * A post's rendering from its row, a key naming everything else its view depends on (the reader,
 * the time: postReaderKey) and the view, built only when needed.
 */
export type RenderPostRow = (row: object, key: string, view: () => PostView, i18n: I18n) => string;

function compilePost(): Handlebars.TemplateDelegate<PostView & { i18n: I18n }> {
  // Latin-1 HTML, as every page's templates write (server/http/latin1-handlebars.ts).
  const hbs = createLatin1Handlebars();
  hbs.registerHelper(helpers);
  // Every partial, as Express's engine has them: post.hbs may use any (post-moderation, …).
  for (const file of readdirSync(partials).filter((f) => f.endsWith('.hbs'))) hbs.registerPartial(file.slice(0, -'.hbs'.length), readFileSync(path.join(partials, file), 'utf8'));
  // The helpers are those of every page (server/http/view-helpers.ts); no partial is indented line by line.
  return hbs.compile(readFileSync(path.join(partials, 'post.hbs'), 'utf8').trim(), { preventIndent: true });
}

/**
 * Renders posts with views/partials/post.hbs. With `cache` (Express's "view cache", on in
 * production) the template is compiled once and renderings are kept up to `chars` characters in all
 * (about 2 bytes each; least recently used dropped first): a post can be 20,000 characters long, so
 * the bound is on their size, not their number. Without it the template is read again at each
 * call, as Express does.
 */
export function createPostRenderer(opts: { cache: boolean; chars?: number }): RenderPost & { keptChars(): number; row: RenderPostRow } {
  // The template's words come from the reader's I18n (the helpers read the root's `i18n`).
  if (!opts.cache) {
    const fresh = (post: PostView, i18n: I18n) => compilePost()({ ...post, i18n });
    const row: RenderPostRow = (_row, _key, view, i18n) => fresh(view(), i18n);
    return Object.assign(fresh, { keptChars: () => 0, row });
  }
  const template = compilePost();
  const budget = opts.chars ?? 4_000_000;
  const kept = new Map<string, string>();
  let size = 0;
  const render = (post: PostView, i18n: I18n) => {
    // The same post reads differently in each language: the locale is part of the key.
    const key = hash('sha256', `${i18n.locale} ${JSON.stringify(post)}`, 'base64');
    const hit = kept.get(key);
    if (hit !== undefined) {
      // Map order is insertion order: a hit moves to the young end.
      kept.delete(key);
      kept.set(key, hit);
      return hit;
    }
    const html = template({ ...post, i18n });
    kept.set(key, html);
    size += html.length;
    for (const [oldest, dropped] of kept) {
      if (size <= budget) break;
      kept.delete(oldest);
      size -= dropped.length;
    }
    return html;
  };
  // A frozen row (a kept thread page's: sharedThreadPage) cannot change, so the row itself and the
  // reader's key name its view: its rendering is found without building the view or its JSON key
  // (together a fifth of a kept thread page's CPU). Kept as long as the row is (a WeakMap), at most
  // four per row: most readers stand alike to a post (a learner, its author, a facilitator), and the
  // wording of its time moves on ("3 minutes ago"); the HTML strings are those the LRU above holds.
  const byRow = new WeakMap<object, Map<string, string>>();
  const row: RenderPostRow = (r, key, view, i18n) => {
    if (!Object.isFrozen(r)) return render(view(), i18n);
    let renderings = byRow.get(r);
    if (!renderings) byRow.set(r, (renderings = new Map()));
    let html = renderings.get(key);
    if (html === undefined) {
      if (renderings.size >= 4) renderings.clear();
      renderings.set(key, (html = render(view(), i18n)));
    }
    return html;
  };
  return Object.assign(render, { keptChars: () => size, row });
}

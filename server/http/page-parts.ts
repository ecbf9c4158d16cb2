// A page sent as its parts: the kept blocks (`{{#keep}}`, view-helpers.ts) as the bytes they were
// encoded to once, the rest as it was written for this request. A facilitator's page of a
// 600-learner cohort is 0.5–1 MB, nearly all of it kept; sent as one string, V8 first joined it into
// a new string of that size and the socket's encoder then copied it into a new buffer of that size,
// at every request: a third of those pages' CPU (the allocations themselves, page faults and
// collections included). The parts go to the socket as they are (one writev).
import type { Express, Response } from 'express';

/** Where a render collects its kept blocks' bytes (a key of the render's root context). */
export const KEPT_PARTS = Symbol('kept parts');

/** What a kept block writes into the page in place of itself: its number among the render's parts. */
export const keptPartMark = (index: number) => `\u0000${index}\u0000`;
// A page never holds NUL otherwise: requests' text has it dropped (app.ts), PostgreSQL text cannot hold it.
const MARK = /\u0000(\d+)\u0000/;

/** A page whose kept blocks are separate parts (see above). */
export class PageParts {
  readonly parts: Buffer[];
  constructor(parts: Buffer[]) {
    this.parts = parts;
  }
}

/** The page `html` wrote, with the kept blocks it marks put back as their bytes. */
export function pageFrom(html: string, kept: Buffer[]): string | PageParts {
  if (kept.length === 0) return html;
  // split with a capturing group: text, part number, text, …
  const pieces = html.split(MARK);
  const parts: Buffer[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (i % 2 === 1) parts.push(kept[Number(piece)]!);
    else if (piece.length > 0) parts.push(Buffer.from(piece, 'utf8'));
  }
  return new PageParts(parts);
}

/** Sends what a page's render gave: as `res.send` sends a string, or its parts. */
function sendPage(res: Response, page: string | PageParts): void {
  if (!(page instanceof PageParts)) {
    res.send(page);
    return;
  }
  if (!res.get('Content-Type')) res.type('html');
  res.setHeader('Content-Length', page.parts.reduce((n, p) => n + p.length, 0));
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  const last = page.parts.length - 1;
  // Corked: the parts leave in one writev, with the headers.
  res.cork();
  for (let i = 0; i < last; i++) res.write(page.parts[i]);
  res.end(page.parts[last]);
  res.uncork();
}

/**
 * `res.render(view, model)` of this app renders its page in parts (`pageParts`, read by the view
 * engine) and sends them. A render given its own callback (or `app.render`) gets one string, as before.
 */
export function renderPagesInParts(app: Express): void {
  type Render = (this: Response, view: string, options?: object | RenderCallback, callback?: RenderCallback) => void;
  type RenderCallback = (err: Error | null, page: unknown) => void;
  const render = app.response.render as Render;
  app.response.render = function renderInParts(this: Response, view: string, options?: object | RenderCallback, callback?: RenderCallback) {
    if (typeof options === 'function' || callback) return render.call(this, view, options, callback);
    render.call(this, view, { ...options, pageParts: true }, (err, page) => (err ? this.req.next!(err) : sendPage(this, page as string | PageParts)));
  } as Response['render'];
}

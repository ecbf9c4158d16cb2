// A page sent as its parts: the kept blocks (`{{#keep}}`, view-helpers.ts) as the bytes they were
// encoded to once, the rest as it was written for this request. A facilitator's page of a
// 600-learner cohort is 0.5–1 MB, nearly all of it kept; sent as one string, V8 first joined it into
// a new string of that size and the socket's encoder then copied it into a new buffer of that size,
// at every request: a third of those pages' CPU (the allocations themselves, page faults and
// collections included). The parts go to the socket as they are (one writev).
import zlib from 'node:zlib';
import type { Express, Request, Response } from 'express';

/** Where a render collects its kept blocks' bytes (a key of the render's root context). */
export const KEPT_PARTS = Symbol('kept parts');

/** What a kept block writes into the page in place of itself: its number among the render's parts. */
export const keptPartMark = (index: number) => `\u0000${index}\u0000`;
// A page never holds NUL otherwise: requests' text has it dropped (app.ts), PostgreSQL text cannot hold it.
const MARK = /\u0000(\d+)\u0000/;

/** A page whose kept blocks are separate parts (see above). */
export class PageParts {
  readonly parts: Buffer[];
  /** Which of the parts are kept blocks' bytes (the same Buffer at every request while the block is kept). */
  readonly kept: ReadonlySet<Buffer>;
  constructor(parts: Buffer[], kept: ReadonlySet<Buffer>) {
    this.parts = parts;
    this.kept = kept;
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
  return new PageParts(parts, new Set(kept));
}

// A page in parts goes compressed to a browser that accepts "deflate" (the zlib format, RFC 1950;
// every browser sends it): a 600-learner cohort's printable report is 1 MB of HTML and about a
// fifteenth of that compressed. Each kept block is compressed once, when first sent, and kept with
// its bytes. The parts written for this request (a few kB: the layout, the forms) go as stored
// blocks, not compressed: setting up a compressor for each was a tenth of a page's CPU. Each kept
// part is a raw deflate stream of its own that ends on a byte boundary without being the last (a
// sync flush), so the parts follow one another as one stream; an empty last block ends it, and the
// Adler-32 of the whole page is combined from the parts' own, so no kept byte is read again.
interface DeflatedPart {
  bytes: Buffer[];
  adler: number;
  length: number;
}

const deflatedKeptParts = new WeakMap<Buffer, DeflatedPart>();
/** The zlib header (deflate, 32 kB window, no preset dictionary) and a last, empty block of fixed codes. */
const ZLIB_HEADER = Buffer.from([0x78, 0x9c]);
const LAST_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);
const ADLER_BASE = 65521;

/** Adler-32 (RFC 1950) of `bytes`, from `adler`. */
export function adler32(bytes: Uint8Array, adler = 1): number {
  let a = adler & 0xffff;
  let b = adler >>> 16;
  for (let i = 0; i < bytes.length; ) {
    // 5552 bytes at most between reductions, as zlib does (the sums stay exact).
    const end = Math.min(i + 5552, bytes.length);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= ADLER_BASE;
    b %= ADLER_BASE;
  }
  return ((b << 16) | a) >>> 0;
}

/** The Adler-32 of two byte runs one after the other, from each one's and the second's length (zlib's adler32_combine). */
export function adler32Combine(first: number, second: number, secondLength: number): number {
  const rem = secondLength % ADLER_BASE;
  let sum1 = first & 0xffff;
  let sum2 = (rem * sum1) % ADLER_BASE;
  sum1 += (second & 0xffff) + ADLER_BASE - 1;
  sum2 += (first >>> 16) + (second >>> 16) + ADLER_BASE - rem;
  if (sum1 >= ADLER_BASE) sum1 -= ADLER_BASE;
  if (sum1 >= ADLER_BASE) sum1 -= ADLER_BASE;
  if (sum2 >= 2 * ADLER_BASE) sum2 -= 2 * ADLER_BASE;
  if (sum2 >= ADLER_BASE) sum2 -= ADLER_BASE;
  return ((sum2 << 16) | sum1) >>> 0;
}

/** A kept block, compressed once as well as zlib's default does. */
function deflatePart(part: Buffer): DeflatedPart {
  return { bytes: [zlib.deflateRawSync(part, { level: 6, finishFlush: zlib.constants.Z_SYNC_FLUSH })], adler: adler32(part), length: part.length };
}

/** Stored blocks (RFC 1951, 3.2.4) of at most 65,535 bytes, each a header and the part's own bytes. */
function storedPart(part: Buffer): DeflatedPart {
  const bytes: Buffer[] = [];
  for (let at = 0; at < part.length; at += 0xffff) {
    const length = Math.min(0xffff, part.length - at);
    // Not the last block, stored; its header's three bits padded to the byte; LEN, then NLEN, little-endian.
    bytes.push(Buffer.from([0x00, length & 0xff, length >>> 8, ~length & 0xff, (~length >>> 8) & 0xff]), part.subarray(at, at + length));
  }
  return { bytes, adler: adler32(part), length: part.length };
}

/** The page's parts as one zlib stream, in parts: kept blocks compressed once, the rest now. */
export function deflatedPage(page: PageParts): Buffer[] {
  const out: Buffer[] = [ZLIB_HEADER];
  let adler = 1;
  for (const part of page.parts) {
    let deflated: DeflatedPart | undefined;
    if (page.kept.has(part)) {
      deflated = deflatedKeptParts.get(part);
      if (!deflated) deflatedKeptParts.set(part, (deflated = deflatePart(part)));
    } else {
      deflated = storedPart(part);
    }
    out.push(...deflated.bytes);
    adler = adler32Combine(adler, deflated.adler, deflated.length);
  }
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(adler);
  out.push(LAST_EMPTY_BLOCK, trailer);
  return out;
}

/** Below this many bytes a page goes as it is: compressing it would save less than it costs. */
export const DEFLATE_FROM_BYTES = 16 * 1024;

/** Whether the request names "deflate" among the encodings it accepts (with no Accept-Encoding, Express's negotiator answers no). */
const acceptsDeflate = (req: Request) => req.acceptsEncodings('deflate') === 'deflate';

const byteLength = (parts: readonly Buffer[]) => parts.reduce((n, p) => n + p.length, 0);

/** Sends what a page's render gave: as `res.send` sends a string, or its parts. */
function sendPage(res: Response, page: string | PageParts): void {
  if (!(page instanceof PageParts)) {
    res.send(page);
    return;
  }
  if (!res.get('Content-Type')) res.type('html');
  res.vary('Accept-Encoding');
  const size = byteLength(page.parts);
  const deflate = size >= DEFLATE_FROM_BYTES && acceptsDeflate(res.req);
  const parts = deflate ? deflatedPage(page) : page.parts;
  if (deflate) res.setHeader('Content-Encoding', 'deflate');
  res.setHeader('Content-Length', deflate ? byteLength(parts) : size);
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  const last = parts.length - 1;
  // Corked: the parts leave in one writev, with the headers.
  res.cork();
  for (let i = 0; i < last; i++) res.write(parts[i]);
  res.end(parts[last]);
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

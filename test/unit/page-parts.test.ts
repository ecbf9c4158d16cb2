// Pages sent in parts: a kept block ({{#keep}}) goes to the socket as the bytes it was encoded to once,
// the rest as written for the request; the page that arrives is the page as one string would have been.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { viewEngine } from '../../server/http/view-engine.ts';
import { helpers } from '../../server/http/view-helpers.ts';
import http from 'node:http';
import zlib from 'node:zlib';
import { adler32, adler32Combine, deflatedPage, DEFLATE_FROM_BYTES, PageParts, renderPagesInParts } from '../../server/http/page-parts.ts';
import { i18nFor } from '../../server/i18n/i18n.ts';

describe('pages sent in parts', () => {
  let dir: string;
  // A view of its own for each test: the first page written from it is the one under test.
  let view: object;
  beforeEach(() => {
    view = Object.freeze({ rows: Object.freeze(['Zoë', 'b’c', 'plain']), inner: Object.freeze({ note: 'inner' }) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'circlework-parts-'));
    for (const sub of ['layouts', 'pages']) fs.mkdirSync(path.join(dir, sub));
    fs.writeFileSync(path.join(dir, 'layouts/main.hbs'), '<main data-who="{{who}}">{{{body}}}</main>');
    // Two kept blocks, one holding another kept block, and text around them that changes per request.
    fs.writeFileSync(
      path.join(dir, 'pages/page.hbs'),
      '<h1>{{who}} — é</h1>{{#keep view "rows"}}<ul>{{#each rows}}<li>{{this}}</li>{{/each}}</ul>{{#keep inner "inner"}}<i>{{note}}</i>{{/keep}}{{/keep}}<p>{{who}}</p>{{#keep view.inner "bold"}}<b>{{note}}</b>{{/keep}}',
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const engine = () => viewEngine({ extname: '.hbs', defaultLayout: 'main', layoutsDir: path.join(dir, 'layouts'), helpers });
  const render = (e: ReturnType<typeof engine>, options: object) =>
    new Promise<unknown>((resolve, reject) => {
      void e(path.join(dir, 'pages/page.hbs'), { settings: { views: dir }, cache: true, i18n: i18nFor('en'), view, ...options } as never, (err: Error | null, html?: unknown) => (err ? reject(err) : resolve(html)));
    });
  const expected = (who: string) => `<main data-who="${who}"><h1>${who} &#8212; é</h1><ul><li>Zoë</li><li>b&#8217;c</li><li>plain</li></ul><i>inner</i><p>${who}</p><b>inner</b></main>`;

  it('renders a page with kept blocks as parts whose bytes are the page, and as one string without pageParts', async () => {
    const e = engine();
    expect(await render(e, { who: 'Ann' })).to.equal(expected('Ann'));
    for (const who of ['Ann', 'Bo']) {
      const page = await render(e, { who, pageParts: true });
      expect(page).to.be.instanceOf(PageParts);
      expect(Buffer.concat((page as PageParts).parts).toString('utf8')).to.equal(expected(who));
    }
    // Kept as bytes since: written into one string again, the same page.
    expect(await render(e, { who: 'Dee' })).to.equal(expected('Dee'));
    // A page without kept blocks stays one string.
    fs.writeFileSync(path.join(dir, 'pages/page.hbs'), '<p>{{who}}</p>');
    expect(await render(engine(), { who: 'Cy', pageParts: true })).to.equal('<main data-who="Cy"><p>Cy</p></main>');
  });

  it('joins parts deflated one by one into one zlib stream, whatever their sizes, with the Adler-32 of the whole', () => {
    const kept = Buffer.from('<tr><td>é</td></tr>'.repeat(5000));
    // A part written for the request goes stored, in blocks of at most 65,535 bytes.
    const written = Buffer.from('<td>ü</td>'.repeat(15000));
    for (const parts of [[kept], [Buffer.from('a'), kept], [kept, Buffer.from('z')], [Buffer.from('<h1>'), kept, Buffer.from('mid'), kept, Buffer.from('</p>')], [written, kept, written], [kept, Buffer.alloc(0xffff, 'x')]]) {
      const page = new PageParts(parts, new Set([kept]));
      for (let i = 0; i < 2; i++) expect(zlib.inflateSync(Buffer.concat(deflatedPage(page))).equals(Buffer.concat(parts))).to.equal(true);
    }
    const [a, b] = [Buffer.from('x'.repeat(70000)), Buffer.from('y€'.repeat(40000))];
    expect(adler32Combine(adler32(a), adler32(b), b.length)).to.equal(adler32(Buffer.concat([a, b])));
    // RFC 1950's checksum of a known text (the example everyone quotes).
    expect(adler32(Buffer.from('Wikipedia'))).to.equal(0x11e60398);
  });

  describe('over HTTP', () => {
    let server: ReturnType<express.Express['listen']>;
    let base: string;
    beforeEach(async () => {
      const app = express();
      app.engine('hbs', engine());
      app.set('view engine', 'hbs');
      app.set('views', dir);
      app.enable('view cache');
      renderPagesInParts(app);
      const model = (req: express.Request) => ({ who: String(req.query.who ?? 'Ann'), i18n: i18nFor('en'), view: req.query.big ? bigView : view });
      app.get('/page', (req, res) => res.render('pages/page', model(req)));
      app.get('/refused', (req, res) => res.status(400).render('pages/page', model(req)));
      // A render with its own callback gets the page as one string.
      app.get('/string', (req, res) => res.render('pages/page', model(req), (err: Error | null, html: string) => (err ? res.status(500).end() : res.type('text').send(typeof html === 'string' ? `string ${html.length}` : 'parts'))));
      server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(() => new Promise((resolve) => server.close(resolve)));

    /** A GET as a client sends it, the body as it arrives (not decoded). */
    const raw = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http.request(url, { method, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject).end();
      });
    const bigView = Object.freeze({ rows: Object.freeze(Array.from({ length: 2000 }, (_, i) => `Learner ${i} — é`)), inner: Object.freeze({ note: 'inner' }) });
    const expectedBig = (who: string) => `<main data-who="${who}"><h1>${who} &#8212; é</h1><ul>${bigView.rows.map((r) => `<li>${r.replace('—', '&#8212;')}</li>`).join('')}</ul><i>inner</i><p>${who}</p><b>inner</b></main>`;

    it('sends a big page compressed (deflate) to a client that accepts it, and as it is to one that does not', async () => {
      expect(Buffer.byteLength(expectedBig('Ann'))).to.be.above(DEFLATE_FROM_BYTES);
      for (const who of ['Ann', 'Bo']) {
        // The kept block compressed the first time, then reused: the page is whole both times.
        const r = await raw(`${base}/page?big=1&who=${who}`, { 'accept-encoding': 'gzip, deflate, br, zstd' });
        expect(r.status).to.equal(200);
        expect(r.headers['content-encoding']).to.equal('deflate');
        expect(r.headers.vary).to.match(/Accept-Encoding/);
        expect(Number(r.headers['content-length'])).to.equal(r.body.length);
        expect(r.body.length).to.be.below(Buffer.byteLength(expectedBig(who)) / 5);
        // inflateSync checks the zlib stream's Adler-32 too.
        expect(zlib.inflateSync(r.body).toString('utf8')).to.equal(expectedBig(who));
      }
      // fetch (undici) asks for it and decodes it as a browser does.
      expect(await (await fetch(`${base}/page?big=1&who=Cy`)).text()).to.equal(expectedBig('Cy'));
      const refusals: Array<Record<string, string>> = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'gzip, deflate;q=0' }, { 'accept-encoding': 'br' }];
      for (const headers of refusals) {
        const r = await raw(`${base}/page?big=1&who=Dee`, headers);
        expect(r.headers['content-encoding'], JSON.stringify(headers)).to.equal(undefined);
        expect(r.body.toString('utf8')).to.equal(expectedBig('Dee'));
      }
      const head = await raw(`${base}/page?big=1`, { 'accept-encoding': 'deflate' }, 'HEAD');
      expect(head.headers['content-encoding']).to.equal('deflate');
      expect(Number(head.headers['content-length'])).to.be.above(0);
      expect(head.body.length).to.equal(0);
    });

    it('sends the page whole, as HTML with its length, its status kept, and only headers to HEAD', async () => {
      for (const who of ['Ann', 'Bo']) {
        // A small page goes as it is, whatever the client accepts.
        const r = await fetch(`${base}/page?who=${who}`);
        expect(r.headers.get('content-encoding')).to.equal(null);
        expect(r.status).to.equal(200);
        expect(r.headers.get('content-type')).to.equal('text/html; charset=utf-8');
        const body = await r.text();
        expect(body).to.equal(expected(who));
        expect(Number(r.headers.get('content-length'))).to.equal(Buffer.byteLength(body));
      }
      const refused = await fetch(`${base}/refused?who=Cy`);
      expect(refused.status).to.equal(400);
      expect(await refused.text()).to.equal(expected('Cy'));
      const head = await fetch(`${base}/page`, { method: 'HEAD' });
      expect(head.status).to.equal(200);
      expect(Number(head.headers.get('content-length'))).to.equal(Buffer.byteLength(expected('Ann')));
      expect(await head.text()).to.equal('');
      expect(await (await fetch(`${base}/string`)).text()).to.equal(`string ${expected('Ann').length}`);
    });
  });
});

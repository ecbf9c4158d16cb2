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
import { PageParts, renderPagesInParts } from '../../server/http/page-parts.ts';
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
      const model = (req: express.Request) => ({ who: String(req.query.who ?? 'Ann'), i18n: i18nFor('en'), view });
      app.get('/page', (req, res) => res.render('pages/page', model(req)));
      app.get('/refused', (req, res) => res.status(400).render('pages/page', model(req)));
      // A render with its own callback gets the page as one string.
      app.get('/string', (req, res) => res.render('pages/page', model(req), (err: Error | null, html: string) => (err ? res.status(500).end() : res.type('text').send(typeof html === 'string' ? `string ${html.length}` : 'parts'))));
      server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(() => new Promise((resolve) => server.close(resolve)));

    it('sends the page whole, as HTML with its length, its status kept, and only headers to HEAD', async () => {
      for (const who of ['Ann', 'Bo']) {
        const r = await fetch(`${base}/page?who=${who}`);
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

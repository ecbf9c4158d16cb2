// The view engine: with Express's view cache on, the partials table is read once (a render no longer
// walks every partial file); with it off (development), an edited partial shows at the next render.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExpressHandlebars } from 'express-handlebars';
import { viewEngine } from '../../server/http/view-engine.ts';
import { TemplateOutput } from '../../server/http/latin1-handlebars.ts';

describe('view engine', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'circlework-views-'));
    for (const sub of ['layouts', 'partials', 'pages']) fs.mkdirSync(path.join(dir, sub));
    fs.writeFileSync(path.join(dir, 'layouts/main.hbs'), '<main>{{{body}}}</main>\n');
    fs.writeFileSync(path.join(dir, 'partials/who.hbs'), '<b>{{name}}</b>');
    fs.writeFileSync(path.join(dir, 'pages/page.hbs'), 'Hello {{> who}}\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const render = (cache: boolean, engine = viewEngine({ extname: '.hbs', defaultLayout: 'main', layoutsDir: path.join(dir, 'layouts'), partialsDir: path.join(dir, 'partials') })) =>
    new Promise<string>((resolve, reject) => {
      void engine(path.join(dir, 'pages/page.hbs'), { settings: { views: dir }, cache, name: 'Ann' } as never, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html!)));
    });

  it('renders the view in its layout with its partials', async () => {
    expect(await render(true)).to.equal('<main>Hello <b>Ann</b></main>');
  });

  it('with the view cache on, reads the partials once: an edit on disk is not read again', async () => {
    const engine = viewEngine({ extname: '.hbs', defaultLayout: 'main', layoutsDir: path.join(dir, 'layouts'), partialsDir: path.join(dir, 'partials') });
    expect(await render(true, engine)).to.equal('<main>Hello <b>Ann</b></main>');
    fs.writeFileSync(path.join(dir, 'partials/who.hbs'), '<i>{{name}}</i>');
    fs.writeFileSync(path.join(dir, 'partials/new-one.hbs'), 'new');
    expect(await render(true, engine)).to.equal('<main>Hello <b>Ann</b></main>');
  });

  it('with the view cache on, a render reads no template again: neither the partial files nor its view and layout', async () => {
    const engine = viewEngine({ extname: '.hbs', defaultLayout: 'main', layoutsDir: path.join(dir, 'layouts'), partialsDir: path.join(dir, 'partials') });
    const looked: string[] = [];
    const getTemplate = ExpressHandlebars.prototype.getTemplate;
    ExpressHandlebars.prototype.getTemplate = function (this: ExpressHandlebars, ...args: Parameters<typeof getTemplate>) {
      looked.push(path.basename(args[0]));
      return getTemplate.apply(this, args);
    };
    try {
      await render(true, engine);
      looked.length = 0;
      await render(true, engine);
    } finally {
      ExpressHandlebars.prototype.getTemplate = getTemplate;
    }
    expect(looked).to.deep.equal([]);
  });

  it('finds the layout and partials under the app’s views folder when the engine is not given their folders, cache on or off', async () => {
    for (const cache of [true, false]) {
      const engine = viewEngine({ extname: '.hbs', defaultLayout: 'main' });
      expect(await render(cache, engine), `cache ${cache}`).to.equal('<main>Hello <b>Ann</b></main>');
    }
  });

  it('with the view cache off (development), shows an edited partial at the next render', async () => {
    const engine = viewEngine({ extname: '.hbs', defaultLayout: 'main', layoutsDir: path.join(dir, 'layouts'), partialsDir: path.join(dir, 'partials') });
    expect(await render(false, engine)).to.equal('<main>Hello <b>Ann</b></main>');
    fs.writeFileSync(path.join(dir, 'partials/who.hbs'), '<i>{{name}}</i>');
    expect(await render(false, engine)).to.equal('<main>Hello <i>Ann</i></main>');
  });

  it('writes pages in Latin-1: the layout’s, the view’s and the partial’s text and values beyond it as character references', async () => {
    fs.writeFileSync(path.join(dir, 'layouts/main.hbs'), '<main>{{{body}}} — fin</main>\n');
    fs.writeFileSync(path.join(dir, 'pages/page.hbs'), 'Hello… {{> who}}\n');
    const engine = viewEngine({ extname: '.hbs', defaultLayout: 'main', layoutsDir: path.join(dir, 'layouts'), partialsDir: path.join(dir, 'partials') });
    const html = await new Promise<string>((resolve, reject) => {
      void engine(path.join(dir, 'pages/page.hbs'), { settings: { views: dir }, cache: true, name: 'Zoë 😀' } as never, (err: Error | null, out?: string) => (err ? reject(err) : resolve(out!)));
    });
    expect(html).to.equal('<main>Hello&#8230; <b>Zoë &#128512;</b> &#8212; fin</main>');
  });

  it('hands the view to its layout as template output, which the layout writes without looking into it again', async () => {
    fs.writeFileSync(path.join(dir, 'layouts/main.hbs'), '<main>{{{body}}}</main><i>{{kind body}}</i>\n');
    const engine = viewEngine({ extname: '.hbs', defaultLayout: 'main', layoutsDir: path.join(dir, 'layouts'), partialsDir: path.join(dir, 'partials'), helpers: { kind: (v: unknown) => (v instanceof TemplateOutput ? 'template output' : typeof v) } });
    const html = await new Promise<string>((resolve, reject) => {
      void engine(path.join(dir, 'pages/page.hbs'), { settings: { views: dir }, cache: true, name: 'Zoë 😀' } as never, (err: Error | null, out?: string) => (err ? reject(err) : resolve(out!)));
    });
    expect(html).to.equal('<main>Hello <b>Zoë &#128512;</b></main><i>template output</i>');
  });

  it('renders a view without a layout when the page asks for none', async () => {
    const engine = viewEngine({ extname: '.hbs', defaultLayout: 'main', layoutsDir: path.join(dir, 'layouts'), partialsDir: path.join(dir, 'partials') });
    const html = await engine(path.join(dir, 'pages/page.hbs'), { settings: { views: dir }, cache: true, name: 'Ann', layout: false } as never);
    expect(html).to.equal('Hello <b>Ann</b>');
  });
});

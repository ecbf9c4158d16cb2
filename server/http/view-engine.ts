// The Handlebars view engine (express-handlebars). With Express's view cache on (production), each
// template is read and compiled once; express-handlebars still walks every partial file on every
// render to build the partials table (a promise per file: ~0.3 ms a page). Here that table is built
// once too. With the cache off (development), partials are read afresh on each render as before.
// Templates write Latin-1 HTML (latin1-handlebars.ts), and a rendering is not trimmed: trimming
// joins the page's thousands of pieces into one string, once for the view and again for the layout,
// where the socket's encoder joins them once anyway (a view's outer white space changes nothing).
// The view reaches its layout as template output, which the layout writes as it is: looking into it
// for characters to encode would join the whole page once more (~3 ms per MB here).
import path from 'node:path';
import type Handlebars from 'handlebars';
import { ExpressHandlebars } from 'express-handlebars';
import { createLatin1Handlebars, TemplateOutput } from './latin1-handlebars.ts';
import { KEPT_PARTS, pageFrom, type PageParts } from './page-parts.ts';

type RuntimeOptions = NonNullable<Parameters<HandlebarsTemplateDelegate>[1]>;
type PartialsOptions = Parameters<ExpressHandlebars['getPartials']>[0];

class PageHandlebars extends ExpressHandlebars {
  #partials: ReturnType<ExpressHandlebars['getPartials']> | undefined;
  readonly #compiled = new Map<string, HandlebarsTemplateDelegate>();
  #ready: RuntimeOptions | undefined;

  /**
   * With the view cache on: the compiled template at `filePath`, and the partials and helpers
   * registered on this engine's Handlebars, once each. express-handlebars's renderView copies the
   * helpers and the partials table into new objects at each render, twice a page (view and layout),
   * through a chain of promises.
   */
  async kept(filePath: string): Promise<{ template: HandlebarsTemplateDelegate; runtime: RuntimeOptions }> {
    let template = this.#compiled.get(filePath);
    // Compiled, not precompiled (no `precompiled` option is given): a template function, as the partials are.
    if (!template) this.#compiled.set(filePath, (template = (await this.getTemplate(filePath, { cache: true })) as HandlebarsTemplateDelegate));
    if (!this.#ready) {
      // Registered once on this engine's own Handlebars (createLatin1Handlebars makes one per engine)
      // rather than given to every render: given a partials table, Handlebars copies it into a new
      // object at each render, twice a page (view and layout). ~10 % of a group space's rendering.
      const partials = (await this.getPartials({ cache: true })) as Record<string, HandlebarsTemplateDelegate>;
      const env = this.handlebars as typeof Handlebars;
      env.registerPartial(partials);
      env.registerHelper(this.helpers as Record<string, Handlebars.HelperDelegate>);
      this.#ready = {};
    }
    return { template, runtime: this.#ready };
  }

  override getPartials(options?: PartialsOptions): ReturnType<ExpressHandlebars['getPartials']> {
    if (!options?.cache) return super.getPartials(options);
    // A failed read is not kept: the next render tries again.
    this.#partials ??= super.getPartials(options).catch((err: unknown) => {
      this.#partials = undefined;
      throw err;
    });
    return this.#partials;
  }

  protected override _renderTemplate(template: HandlebarsTemplateDelegate, context?: object, options?: RuntimeOptions): string {
    return template(context, options);
  }
}

type RenderViewOptions = Parameters<ExpressHandlebars['renderView']>[1] & { layout?: string | false | null; pageParts?: boolean };

/**
 * The view, then its layout around it (express-handlebars's order, with the view passed as template
 * output). With `pageParts` (res.render, page-parts.ts), the kept blocks it wrote come as parts.
 */
async function renderPage(hbs: PageHandlebars, viewPath: string, options: RenderViewOptions): Promise<string | PageParts> {
  const kept: Buffer[] | undefined = options.pageParts ? [] : undefined;
  const layout = 'layout' in options ? options.layout : hbs.defaultLayout;
  // Read after a renderView when the engine was not given its folders: renderView finds them under
  // the app's views folder.
  const layoutPathOf = () => layout && path.resolve(hbs.layoutsDir ?? '', path.extname(layout) ? layout : `${layout}${hbs.extname}`);
  let html: string;
  if (options.cache && !options.helpers && !options.partials && hbs.config.layoutsDir && hbs.config.partialsDir) {
    // Production: the kept templates called directly, as express-handlebars would call them (the
    // template's @root is the model; nothing here reads express-handlebars's @exphbs).
    const layoutPath = layoutPathOf();
    const [view, outer] = await Promise.all([hbs.kept(path.resolve(viewPath)), layoutPath ? hbs.kept(layoutPath) : undefined]);
    const model = { ...options, [KEPT_PARTS]: kept };
    const body = view.template(model, view.runtime);
    html = outer ? outer.template({ ...model, body: new TemplateOutput(body) }, outer.runtime) : body;
  } else {
    const body = await hbs.renderView(viewPath, { ...options, layout: false, [KEPT_PARTS]: kept });
    const layoutPath = layoutPathOf();
    html = layoutPath ? await hbs.renderView(layoutPath, { ...options, layout: false, body: new TemplateOutput(body), [KEPT_PARTS]: kept }) : body;
  }
  return kept ? pageFrom(html, kept) : html;
}

export function viewEngine(config: ConstructorParameters<typeof ExpressHandlebars>[0]): ExpressHandlebars['engine'] {
  // preventIndent: a partial alone on its line is not indented line by line (Handlebars splits its
  // whole output on newlines and joins it again, at every level of nesting: a quarter of the
  // 600-learner dashboard's CPU), and a <textarea> in a partial keeps its text as written.
  const hbs = new PageHandlebars({ handlebars: createLatin1Handlebars(), ...config, compilerOptions: { preventIndent: true, ...config?.compilerOptions } });
  return (viewPath, options, callback) => {
    const page = renderPage(hbs, viewPath, options as RenderViewOptions);
    // A page in parts reaches page-parts.ts's sender through Express as it is.
    page.then((html) => callback?.(null, html as string), (err: Error) => callback?.(err));
    return page as Promise<string>;
  };
}

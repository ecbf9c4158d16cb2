// The Handlebars view engine (express-handlebars). With Express's view cache on (production), each
// template is read and compiled once; express-handlebars still walks every partial file on every
// render to build the partials table (a promise per file: ~0.3 ms a page). Here that table is built
// once too. With the cache off (development), partials are read afresh on each render as before.
import { ExpressHandlebars } from 'express-handlebars';

type PartialsOptions = Parameters<ExpressHandlebars['getPartials']>[0];

class CachedPartialsHandlebars extends ExpressHandlebars {
  #partials: ReturnType<ExpressHandlebars['getPartials']> | undefined;

  override getPartials(options?: PartialsOptions): ReturnType<ExpressHandlebars['getPartials']> {
    if (!options?.cache) return super.getPartials(options);
    // A failed read is not kept: the next render tries again.
    this.#partials ??= super.getPartials(options).catch((err: unknown) => {
      this.#partials = undefined;
      throw err;
    });
    return this.#partials;
  }
}

export function viewEngine(config: ConstructorParameters<typeof ExpressHandlebars>[0]): ExpressHandlebars['engine'] {
  return new CachedPartialsHandlebars(config).engine;
}

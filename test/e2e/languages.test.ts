// Every page kind in the pseudo-locale en-XA (Chromium): a plain English word on a page is a string
// that never went through the catalogs. The real languages are toured in languages-*.test.ts.
import { expect } from 'chai';
import { languageTourSuite } from '../support/language-tour.ts';
import { untranslatedText } from '../support/untranslated.ts';

describe('languages: every page kind in the pseudo-locale (Chromium)', function () {
  this.timeout(300_000);
  const { tourAll } = languageTourSuite();

  it('en-XA: no page shows a string that did not come from the catalogs', async () => {
    const found: string[] = [];
    const pages = await tourAll('en-XA', async (target, kind) => {
      for (const text of untranslatedText(await target.content())) found.push(`${kind} ${text}`);
    });
    expect(pages.filter((p) => p.status >= 500), 'pages that failed to render').to.deep.equal([]);
    expect(pages.length).to.be.greaterThan(20);
    expect(pages.map((p) => p.kind), 'the editor and the programme view are on the tour').to.include.members(['/editions', '/editions/:id', '/editions/:id/modules/:n', '/editions/:id/five-factors', '/programme']);
    expect(found.length, `strings outside the catalogs:\n${found.join('\n')}\n`).to.equal(0);
  });
});

// Templates write Latin-1 HTML: every character beyond it, wherever it comes from (the template's
// text, an escaped value, a {{{value}}}, a SafeString, a partial, a block), leaves as a numeric
// character reference, and an HTML parser reads back exactly what was meant.
import { expect } from 'chai';
import Handlebars from 'handlebars';
import { parse } from 'node-html-parser';
import { createLatin1Handlebars, latin1Html } from '../../server/http/latin1-handlebars.ts';

const BEYOND_LATIN1 = /[^\x00-\xff]/u;

/** The same partials, helpers and page, in the environment given: ours, or a stock Handlebars to compare with. */
function pageIn(hbs: typeof Handlebars) {
  hbs.registerPartial('signed', '<i>{{name}} — {{> @partial-block}}</i>');
  hbs.registerPartial('plain', '<u>{{name}} →</u>');
  hbs.registerHelper('shout', (s: string) => `${s}‼`);
  hbs.registerHelper('strong', (s: string) => new hbs.SafeString(`<strong>${hbs.escapeExpression(s)} ★</strong>`));
  return hbs.compile(
    '<p title="{{name}}">Tom’s {{name}} {{{html}}} {{shout name}} {{strong name}} {{{strong name}}}' +
      '{{#each list}}<b>{{this}} ←</b>{{/each}} {{> plain}} {{#> signed}}inner “{{name}}”{{/signed}} {{#if none}}x{{else}}e…{{/if}}|{{{none}}}|{{none}}|{{zero}}</p>',
  );
}

describe('Latin-1 templates', () => {
  const page = pageIn(createLatin1Handlebars());
  const model = { name: 'Zoë “Ζωή” 😀 <b>', html: '<em>Ünïcode ’ 中文</em>', list: ['α', 'b'], zero: 0 };

  it('writes nothing beyond Latin-1, from the template’s text, escaped values, raw HTML, helpers, partials and blocks', () => {
    const html = page(model);
    expect(BEYOND_LATIN1.test(html), html).to.equal(false);
    // Latin-1 letters stay as they are; a value is still escaped.
    expect(html).to.contain('Zoë &#8220;&#918;').and.contain('&lt;b&gt;').and.contain('Ünïcode');
  });

  it('reads back, once parsed, as the same text and attributes as the characters themselves would', () => {
    const reference = pageIn(Handlebars.create())(model);
    expect(BEYOND_LATIN1.test(reference)).to.equal(true);
    const ours = parse(page(model)).querySelector('p')!;
    const theirs = parse(reference).querySelector('p')!;
    expect(ours.text).to.equal(theirs.text);
    expect(ours.getAttribute('title')).to.equal('Zoë “Ζωή” 😀 <b>');
    expect(ours.text).to.contain('Tom’s').and.contain('中文').and.contain('‼').and.contain('★').and.contain('e…|||0');
  });

  it('encodes a code point beyond the BMP as one reference, and leaves Latin-1 text as it is', () => {
    expect(latin1Html('a 😀 b')).to.equal('a &#128512; b');
    const latin = 'café, niño, « ¿qué? » · 100 %';
    expect(latin1Html(latin)).to.equal(latin);
  });
});

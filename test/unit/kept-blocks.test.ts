// {{#keep view}}: a block of a kept view (a 600-learner cohort's tables and pictures) is written once
// per view object and reader's locale, then written as kept; anything else is written afresh.
import { expect } from 'chai';
import { createLatin1Handlebars } from '../../server/http/latin1-handlebars.ts';
import { helpers } from '../../server/http/view-helpers.ts';
import { i18nFor } from '../../server/i18n/i18n.ts';

describe('kept blocks ({{#keep view}})', () => {
  let written: number;
  const hbs = createLatin1Handlebars();
  hbs.registerHelper(helpers as never);
  // Counts how often the block itself is written.
  hbs.registerHelper('written', () => String(++written));
  const page = hbs.compile('<p>{{who}}</p>{{#keep view "figures"}}<h2>{{t "analytics.social.figures"}}</h2>{{#each rows}}<td>{{this}}</td>{{/each}}<i>{{written}}</i>{{/keep}}');
  beforeEach(() => (written = 0));

  it('writes the block once for a view object, and the rest of the page on every render', () => {
    const view = Object.freeze({ rows: Object.freeze(['a', 'b’c']) });
    const en = i18nFor('en');
    const first = page({ i18n: en, who: 'Ann', view });
    const second = page({ i18n: en, who: 'Bo', view });
    expect(first).to.equal(`<p>Ann</p><h2>${en.t('analytics.social.figures')}</h2><td>a</td><td>b&#8217;c</td><i>1</i>`);
    expect(second).to.equal(first.replace('Ann', 'Bo'));
    expect(written).to.equal(1);
  });

  it('writes it again for another locale, in that locale’s words', () => {
    const view = Object.freeze({ rows: Object.freeze(['a']) });
    const en = page({ i18n: i18nFor('en'), who: 'Ann', view });
    const fr = page({ i18n: i18nFor('fr'), who: 'Ann', view });
    expect(i18nFor('fr').t('analytics.social.figures')).not.to.equal(i18nFor('en').t('analytics.social.figures'));
    expect(fr).to.contain(`<h2>${i18nFor('fr').t('analytics.social.figures')}</h2>`).and.contain('<i>2</i>');
    expect(page({ i18n: i18nFor('en'), who: 'Ann', view })).to.equal(en);
    expect(written).to.equal(2);
  });

  it('keeps each named block of one view apart, and refuses a block without a name', () => {
    const view = Object.freeze({ rows: Object.freeze(['a']) });
    const two = hbs.compile('{{#keep view "one"}}<b>{{#each rows}}{{this}}{{/each}}</b>{{/keep}}{{#keep view "two"}}<i>{{#each rows}}{{this}}{{/each}}</i>{{/keep}}');
    expect(two({ i18n: i18nFor('en'), view })).to.equal('<b>a</b><i>a</i>');
    expect(two({ i18n: i18nFor('en'), view })).to.equal('<b>a</b><i>a</i>');
    expect(() => hbs.compile('{{#keep view}}x{{/keep}}')({ view })).to.throw(/needs a name/);
  });

  it('writes it again for a new view object (figures computed again), and every time without one', () => {
    const en = i18nFor('en');
    page({ i18n: en, who: 'Ann', view: Object.freeze({ rows: ['a'] }) });
    expect(page({ i18n: en, who: 'Ann', view: Object.freeze({ rows: ['z'] }) })).to.contain('<td>z</td><i>2</i>');
    expect(page({ i18n: en, who: 'Ann', view: undefined })).to.contain('<i>3</i>');
    expect(page({ i18n: en, who: 'Ann', view: undefined })).to.contain('<i>4</i>');
  });
});

// Each formatted message is kept per (key, values) and given back as kept: whatever is kept must be
// what formatting those values again would give.
import { expect } from 'chai';
import Handlebars from 'handlebars';
import { i18nFor } from '../../server/i18n/i18n.ts';

describe('formatted messages, kept per key and values', () => {
  const en = i18nFor('en');

  it('gives each set of values its own text, asked for again in any order', () => {
    for (let round = 0; round < 2; round++) {
      expect(en.t('discussions.space.replies', { count: 1 })).to.equal('1 reply');
      expect(en.t('discussions.space.replies', { count: 2 })).to.equal('2 replies');
      expect(en.t('discussions.space.lastBy', { name: 'Ana' })).to.equal('last by Ana,');
      expect(en.t('discussions.space.lastBy', { name: 'Bo' })).to.equal('last by Bo,');
    }
  });

  it('tells a value’s name from its text (the same text under another name is another message)', () => {
    expect(en.t('discussions.space.lastBy', { name: 'Ana' })).to.equal('last by Ana,');
    expect(en.t('discussions.space.lastBy', { other: 'Ana' })).to.not.contain('Ana');
  });

  it('escapes a text value of an HTML message and keeps a SafeString one as it is, whichever came first', () => {
    const markup = '<b>x</b>';
    expect(en.html('errors.page.reference', { requestId: new Handlebars.SafeString(markup) })).to.contain('<code><b>x</b></code>');
    expect(en.html('errors.page.reference', { requestId: markup })).to.contain('<code>&lt;b&gt;x&lt;/b&gt;</code>');
    expect(en.html('errors.page.reference', { requestId: new Handlebars.SafeString(markup) })).to.contain('<code><b>x</b></code>');
  });

  it('keeps text apart from HTML: the same key and values, escaped only as HTML', () => {
    expect(en.t('discussions.space.lastBy', { name: '<x>' })).to.equal('last by <x>,');
    expect(en.html('discussions.space.lastBy', { name: '<x>' })).to.equal('last by &lt;x&gt;,');
    expect(en.t('discussions.space.lastBy', { name: '<x>' })).to.equal('last by <x>,');
  });

  it('formats a date each time (a date is not kept by value)', () => {
    expect(en.t('time.exact', { when: new Date('2026-12-04T08:46:00Z') })).to.equal('4 Dec 2026, 08:46 UTC');
    expect(en.t('time.exact', { when: new Date('2026-12-05T09:47:00Z') })).to.equal('5 Dec 2026, 09:47 UTC');
  });

  it('keeps each language’s own', () => {
    expect(en.t('discussions.space.replies', { count: 3 })).to.equal('3 replies');
    expect(i18nFor('fr').t('discussions.space.replies', { count: 3 })).to.not.equal('3 replies');
  });
});

// The HTML allow-list has two link defences, and each must hold on its own: the sanitiser's scheme
// filter (sanitize-html's allowedSchemes) and our href filter (safeHref, in the <a> transform).
import { expect } from 'chai';
import sanitizeHtml from 'sanitize-html';
import { safeHref, SANITIZE_OPTIONS } from '../../server/discussions/post-rendering.ts';

const DANGEROUS = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'java\nscript:alert(1)',
  '\u0001javascript:alert(1)',
  'vbscript:msgbox(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'file:///etc/passwd',
  '//evil.example/x',
];
const FINE = ['https://example.org/a?b=c', 'http://example.org/', 'mailto:someone@example.org'];

describe('link defences of the post allow-list, each on its own', () => {
  it('safeHref keeps absolute http(s) and mailto addresses and refuses every other form', () => {
    for (const href of DANGEROUS) expect(safeHref(href), JSON.stringify(href)).to.equal(undefined);
    for (const href of ['/relative', 'relative', '#top', '']) expect(safeHref(href), href).to.equal(undefined);
    for (const href of FINE) expect(safeHref(href), href).to.equal(new URL(href).href);
  });

  it('the sanitiser’s scheme filter alone (our <a> transform switched off) drops every dangerous href', () => {
    const schemesOnly: sanitizeHtml.IOptions = { ...SANITIZE_OPTIONS, transformTags: { ...SANITIZE_OPTIONS.transformTags, a: (tagName, attribs) => ({ tagName, attribs }) } };
    for (const href of DANGEROUS) {
      const out = sanitizeHtml(`<a href="${href.replace(/"/g, '&quot;')}">x</a>`, schemesOnly);
      expect(out, JSON.stringify(href)).to.not.match(/href=/);
    }
    for (const href of FINE) expect(sanitizeHtml(`<a href="${href}">x</a>`, schemesOnly)).to.contain('href=');
  });

  it('our <a> transform alone (the scheme filter switched off) still never lets a dangerous href through', () => {
    const transformOnly: sanitizeHtml.IOptions = { ...SANITIZE_OPTIONS, allowedSchemes: ['javascript', 'vbscript', 'data', 'file', 'http', 'https', 'mailto'], allowProtocolRelative: true };
    // With every scheme allowed, sanitize-html on its own would keep these: the transform must not.
    expect(sanitizeHtml('<a href="javascript:alert(1)">x</a>', { ...transformOnly, transformTags: {} })).to.contain('javascript:');
    for (const href of DANGEROUS) {
      const out = sanitizeHtml(`<a href="${href.replace(/"/g, '&quot;')}">x</a>`, transformOnly);
      expect(out, JSON.stringify(href)).to.not.match(/href=/);
    }
  });
});

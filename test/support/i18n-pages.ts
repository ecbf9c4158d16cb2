// Pages read in the pseudo-locale en-XA: every catalog string is accented and bracketed there, so a
// plain English word on a page is a string that never went through the catalogs.
import { expect } from 'chai';
import type { Member, Page } from './cohort-members.ts';
import { untranslatedText } from './untranslated.ts';

export interface PseudoLocaleOptions {
  /** Leaves out a part of the page converted (and checked) with another area. */
  without?: (body: string) => string;
  /** Leaves out a finding that belongs to another area. */
  elsewhere?: (found: string) => boolean;
}

export function pseudoLocalePages(s: { get(m: Member, url: string): Promise<Page>; post(m: Member, url: string, form: Record<string, string>): Promise<Page> }, options: PseudoLocaleOptions = {}) {
  const { without = (b: string) => b, elsewhere = () => false } = options;
  const expectClean = (body: string, what: string) => expect(untranslatedText(without(body)).filter((f) => !elsewhere(f)), what).to.deep.equal([]);
  return {
    expectClean,
    /** The member's page at `path` (under their cohort) in en-XA, with nothing untranslated on it. */
    async clean(m: Member, path: string, status = 200): Promise<Page> {
      const page = await s.get(m, `${m.base}${path}`);
      expect(page.status, `${path}: ${page.body.slice(0, 300)}`).to.equal(status);
      expect(page.body).to.match(/<html lang="en-XA"/);
      expectClean(page.body, path);
      return page;
    },
    /** A refused form: its status, and nothing untranslated on the page it answers with. */
    async refused(m: Member, path: string, form: Record<string, string>, status = 400): Promise<Page> {
      const page = await s.post(m, `${m.base}${path}`, form);
      expect(page.status, `${path}: ${page.body.slice(0, 300)}`).to.equal(status);
      expectClean(page.body, `${path} refused`);
      return page;
    },
  };
}

// Dates are shown in UTC in the reader's language, whatever the server's own time zone.
import { expect } from 'chai';
import { i18nFor } from '../../server/i18n/i18n.ts';

describe('dates in the reader’s language', () => {
  it('formats the UTC day (late evening UTC stays that day), British in English', () => {
    expect(i18nFor('en').date(new Date('2026-12-04T23:30:00Z'), 'full')).to.equal('Friday, 4 December 2026');
    expect(i18nFor('en').date(new Date('2027-01-01T00:00:00Z'))).to.equal('1 Jan 2027');
    expect(i18nFor('fr').date(new Date('2026-12-04T23:30:00Z'), 'long')).to.equal('4 décembre 2026');
  });
});

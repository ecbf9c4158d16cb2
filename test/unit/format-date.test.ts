// The module dates' format, unchanged by caching the formatter.
import { expect } from 'chai';
import { formatDate } from '../../server/modules/modules.views.ts';

describe('formatDate', () => {
  it('writes a UTC date as weekday, day, month and year in British English', () => {
    expect(formatDate(new Date('2026-12-04T23:30:00Z'))).to.equal('Fri, 4 Dec 2026');
    expect(formatDate(new Date('2027-01-01T00:00:00Z'))).to.equal('Fri, 1 Jan 2027');
  });
});

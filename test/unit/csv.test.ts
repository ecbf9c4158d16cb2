// CSV escaping and formula-injection guarding.
import { expect } from 'chai';
import { csvCell, toCsv } from '../../server/analytics/csv.ts';

describe('CSV export', () => {
  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('plain')).to.equal('plain');
    expect(csvCell('a,b')).to.equal('"a,b"');
    expect(csvCell('say "hi"')).to.equal('"say ""hi"""');
    expect(csvCell('two\nlines')).to.equal('"two\nlines"');
    expect(csvCell(null)).to.equal('');
    expect(csvCell(-3)).to.equal('-3');
    expect(csvCell(0.25)).to.equal('0.25');
  });

  it('guards text that a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x")')).to.equal(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).to.equal("'+1");
    expect(csvCell('-2+3')).to.equal("'-2+3");
    expect(csvCell('@SUM(A1)')).to.equal("'@SUM(A1)");
    expect(csvCell('\tx')).to.equal("'\tx");
    expect(csvCell('a=b')).to.equal('a=b');
  });

  it('writes a header and rows with CRLF line ends', () => {
    expect(toCsv(['a', 'b'], [[1, 'x,y'], [null, true]])).to.equal('a,b\r\n1,"x,y"\r\n,yes\r\n');
  });
});

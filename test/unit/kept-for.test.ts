// KeptFor: a value made once per combination of keys (objects held weakly, plain values), and made
// again for any key that differs.
import { expect } from 'chai';
import { KeptFor } from '../../server/cache/kept-for.ts';

describe('KeptFor', () => {
  it('makes a value once per combination of keys, and again when any key differs', () => {
    const kept = new KeptFor<[object, object, string, boolean], { n: number }>();
    let made = 0;
    const make = () => ({ n: ++made });
    const [rows, otherRows, en, fr] = [{}, {}, {}, {}];
    const first = kept.get([rows, en, 'a', true], make);
    expect(kept.get([rows, en, 'a', true], make)).to.equal(first);
    expect(made).to.equal(1);
    const others: Array<[object, object, string, boolean]> = [[otherRows, en, 'a', true], [rows, fr, 'a', true], [rows, en, 'b', true], [rows, en, 'a', false]];
    for (const keys of others) {
      const value = kept.get(keys, make);
      expect(value).to.not.equal(first);
      expect(kept.get(keys, make)).to.equal(value);
    }
    expect(made).to.equal(5);
  });

  it('keeps an undefined or falsy value made once', () => {
    const kept = new KeptFor<[object], number | undefined>();
    let made = 0;
    const key = {};
    expect(kept.get([key], () => (made++, undefined))).to.equal(undefined);
    expect(kept.get([key], () => (made++, 0))).to.equal(undefined);
    expect(made).to.equal(1);
  });
});

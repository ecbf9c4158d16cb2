import { expect } from 'chai';
import { untranslatedText } from '../support/untranslated.ts';

describe('untranslated text finder (pseudo-locale pages)', () => {
  it('reports plain English outside the catalog, and nothing for catalog or skipped text', () => {
    expect(untranslatedText('<p>⟦Šîĝñ öûţ⟧ <span translate="no">Ada Lovelace</span></p><div lang="en"><h2>Module one</h2></div><script>var hello = 1</script>')).to.deep.equal([]);
    expect(untranslatedText('<p>⟦Šîĝñ öûţ⟧</p><button>Save changes</button>')).to.have.length(1);
    expect(untranslatedText('<img alt="Profile photo">')).to.have.length(1);
    expect(untranslatedText('<p>⟦{Circlework} ţ⟧ 3 Circlework</p>')).to.deep.equal([]);
  });
});

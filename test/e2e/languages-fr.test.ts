// Every page kind in French (fr-FR, Chromium): each renders (a missing key fails the render outside
// production), names its language and direction, shows no catalog key, and stays clean under axe.
import { languageTourSuite } from '../support/language-tour.ts';

describe('languages: every page kind in fr-FR (Chromium)', function () {
  this.timeout(300_000);
  const { expectEveryPageIn } = languageTourSuite();

  it('fr-FR: every page renders in fr (ltr), shows no catalog key, and is clean under axe', () => expectEveryPageIn('fr-FR', 'fr', 'ltr'));
});

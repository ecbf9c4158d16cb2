// Every page kind in Spanish (es-ES, Chromium): each renders (a missing key fails the render outside
// production), names its language and direction, shows no catalog key, and stays clean under axe.
import { languageTourSuite } from '../support/language-tour.ts';

describe('languages: every page kind in es-ES (Chromium)', function () {
  this.timeout(300_000);
  const { expectEveryPageIn } = languageTourSuite();

  it('es-ES: every page renders in es (ltr), shows no catalog key, and is clean under axe', () => expectEveryPageIn('es-ES', 'es', 'ltr'));
});

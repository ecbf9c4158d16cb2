// Every page kind in the right-to-left pseudo-locale (ar-XB, Chromium): each renders (a missing key
// fails the render outside production), names its language and direction, shows no catalog key, and
// stays clean under axe.
import { languageTourSuite } from '../support/language-tour.ts';

describe('languages: every page kind in ar-XB (Chromium)', function () {
  this.timeout(300_000);
  const { expectEveryPageIn } = languageTourSuite();

  it('ar-XB: every page renders in ar-XB (rtl), shows no catalog key, and is clean under axe', () => expectEveryPageIn('ar-XB', 'ar-XB', 'rtl'));
});

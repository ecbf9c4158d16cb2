// The test helper resetDatabase returns only once every app of the process has dropped its cached
// copies: TRUNCATE's flush is a NOTIFY that may arrive late, and a test sharing an app across resets
// must never read the previous test's platform, cohort or standing from memory.
import { expect } from 'chai';
import { waitFor } from '../support/wait.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform } from '../support/lti-fixtures.ts';

describe('resetDatabase and the apps’ caches', () => {
  let a: TestApp;
  let b: TestApp;
  let moodle: LtiPlatformSimulator;

  before(async () => {
    a = await startTestApp();
    b = await startTestApp();
    moodle = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });
  after(async () => {
    await moodle.close();
    await a.close();
    await b.close();
  });

  it('returns once every app has dropped what it cached, even when the notifications arrive late', async () => {
    await resetDatabase(a.handle);
    await connectPlatform(a, moodle);
    for (const app of [a, b]) expect(await app.caches.frameOrigins()).to.deep.equal([moodle.baseUrl]);
    // B keeps a copy only once it has heard the registration's last change: a copy loaded while a
    // change is on its way is not kept. On a busy machine that takes a few reads.
    await waitFor('B to keep the frame origins', async () => (await b.caches.frameOrigins()).length === 1 && b.caches.shared.size > 0);
    // B hears every notification a while after it came (a busy machine).
    const invalidate = b.caches.shared.invalidate.bind(b.caches.shared);
    b.caches.shared.invalidate = (tags) => void setTimeout(() => invalidate(tags), 300);
    try {
      await resetDatabase(a.handle);
      expect(b.caches.shared.size).to.equal(0);
      expect(await b.caches.frameOrigins()).to.deep.equal([]);
    } finally {
      b.caches.shared.invalidate = invalidate;
    }
  });
});

// Launch lookups through the app's cache: what would refuse is read again, and nothing is kept longer
// than a minute, so a platform disabled elsewhere is refused in time even if a NOTIFY never arrives.
import { expect } from 'chai';
import { SharedCache } from '../../server/cache/shared-cache.ts';
import { LAUNCH_CACHE_TTL_MS, readForLaunch } from '../../lti/launch-cache.ts';

describe('launch lookups through the cache', () => {
  let clock = 0;
  let loads = 0;
  let active = true;
  const cache = new SharedCache({ maxEntries: 100, ttlMs: 10 * 60_000, now: () => clock });
  cache.setListening(true);
  const read = () =>
    readForLaunch(cache, 'launch-platform:x', async () => { loads += 1; return { active }; }, () => ['lti-platforms'], (p) => p.active);

  it('keeps an accepted platform at most a minute, even when no invalidation arrives', async () => {
    expect(LAUNCH_CACHE_TTL_MS).to.be.at.most(60_000);
    await read();
    await read();
    expect(loads).to.equal(1);
    active = false; // disabled elsewhere; the NOTIFY is lost
    clock += LAUNCH_CACHE_TTL_MS + 1;
    expect((await read())?.active).to.equal(false);
  });

  it('reads a refusal again past the cache before giving it', async () => {
    clock += LAUNCH_CACHE_TTL_MS + 1;
    active = false;
    expect((await read())?.active).to.equal(false); // kept as refused
    active = true; // enabled elsewhere; the NOTIFY is lost
    expect((await read())?.active).to.equal(true); // the kept refusal is not given: read again
  });
});

import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PlatformJwksCache } from '../../lti/platform-jwks-cache.ts';

describe('PlatformJwksCache', () => {
  let server: http.Server;
  let url: string;
  let kids: string[];
  let fetches: number;

  before(async () => {
    server = http.createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: kids.map((kid) => ({ kid, kty: 'RSA', n: 'x', e: 'AQAB' })) }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    kids = ['k1'];
    fetches = 0;
  });

  it('fetches a keyset once for many launches with a known kid', async () => {
    const cache = new PlatformJwksCache();
    for (let i = 0; i < 5; i++) await cache.ensureKid(url, 'k1');
    expect(fetches).to.equal(1);
    expect(cache.cached(url)?.keys.map((k) => k.kid)).to.deep.equal(['k1']);
  });

  it('refetches when a token names an unknown kid, at most once per interval', async () => {
    let now = 1_000_000;
    const cache = new PlatformJwksCache({ refetchIntervalMs: 30_000, now: () => now });
    await cache.ensureKid(url, 'k1');
    kids = ['k1', 'k2'];
    now += 1000;
    await cache.ensureKid(url, 'k2'); // a rotation right after the first fetch is picked up at once
    expect(fetches).to.equal(2);
    expect(cache.cached(url)?.keys.map((k) => k.kid)).to.deep.equal(['k1', 'k2']);
    now += 1000;
    await cache.ensureKid(url, 'bogus-1'); // within the interval of the last refetch: no fetch
    await cache.ensureKid(url, 'bogus-2');
    expect(fetches).to.equal(2);
    kids = ['k1', 'k2', 'k3'];
    now += 30_000;
    await cache.ensureKid(url, 'k3');
    expect(fetches).to.equal(3);
  });

  it('refetches a keyset a token failed to verify under (a key replaced under its kid), at most once per interval', async () => {
    let now = 1_000_000;
    const cache = new PlatformJwksCache({ refetchIntervalMs: 30_000, now: () => now });
    await cache.ensureKid(url, 'k1');
    cache.distrust(url);
    now += 1000;
    await cache.ensureKid(url, 'k1');
    expect(fetches).to.equal(2);
    await cache.ensureKid(url, 'k1'); // the refetched keyset is trusted again
    expect(fetches).to.equal(2);
    cache.distrust(url);
    now += 1000;
    await cache.ensureKid(url, 'k1'); // within the interval of the last refetch: no fetch
    expect(fetches).to.equal(2);
    now += 30_000;
    await cache.ensureKid(url, 'k1');
    expect(fetches).to.equal(3);
  });

  it('shares one fetch between concurrent launches', async () => {
    const cache = new PlatformJwksCache();
    await Promise.all([cache.ensureKid(url, 'k1'), cache.ensureKid(url, 'k1'), cache.ensureKid(url, 'k1')]);
    expect(fetches).to.equal(1);
  });

  it('refetches a keyset older than its maximum age', async () => {
    let now = 0;
    const cache = new PlatformJwksCache({ maxAgeMs: 60_000, now: () => now });
    await cache.ensureKid(url, 'k1');
    now = 61_000;
    await cache.ensureKid(url, 'k1');
    expect(fetches).to.equal(2);
  });
});

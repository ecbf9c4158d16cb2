import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { fetchFromPlatform, isPublicHost, PlatformFetchError, systemLookup, type LookupAll } from '../../lti/registration-fetch.ts';
import { endlessJsonServer } from '../support/endless-server.ts';
import { registrationFrameOrigins } from '../../lti/registration.service.ts';

describe('isPublicHost (what /lti/register may fetch)', () => {
  for (const url of ['https://127.0.0.1/', 'https://10.1.2.3/', 'https://192.168.0.1/', 'https://172.16.5.5/', 'https://169.254.169.254/latest', 'https://[::1]/', 'https://localhost/', 'https://0.0.0.0/', 'http://8.8.8.8/']) {
    it(`refuses ${url}`, async () => {
      expect(await isPublicHost(new URL(url))).to.equal(false);
    });
  }
  it('accepts a public https address', async () => {
    expect(await isPublicHost(new URL('https://8.8.8.8/.well-known/openid-configuration'))).to.equal(true);
  });
});

describe('fetchFromPlatform (the registration fetch)', () => {
  const MAX = 256 * 1024;

  it('aborts an endless answer once it has read past the cap: bytes read stay within the cap plus one chunk', async () => {
    const endless = await endlessJsonServer();
    try {
      const failure = await fetchFromPlatform(new URL(`${endless.url}/.well-known/openid-configuration`), {}, { maxBytes: MAX, timeoutMs: 30_000, allowPrivateAddresses: true, lookup: systemLookup })
        .then(() => undefined, (err: unknown) => err);
      expect(failure).to.be.instanceOf(PlatformFetchError);
      expect((failure as PlatformFetchError).reason).to.equal('too-large');
      expect((failure as PlatformFetchError).bytesRead).to.be.above(MAX).and.at.most(MAX + 64 * 1024);
      await endless.closed;
    } finally {
      await endless.close();
    }
  });

  it('connects to the address it checked: a second DNS answer (rebinding) is never used', async () => {
    // Both addresses are loopback ones on this machine (no traffic leaves it): the checked answer is
    // 127.0.0.1, where the platform's server is; a second lookup would give 127.0.0.2, where a
    // different server listens on the same port and counts connections.
    const checked = await endlessJsonServer();
    const port = Number(new URL(checked.url).port);
    let rebound = 0;
    const other = http.createServer((_req, res) => res.end('{}'));
    other.on('connection', () => { rebound++; });
    await new Promise<void>((resolve, reject) => { other.once('error', reject); other.listen(port, '127.0.0.2', resolve); });
    const answers = [[{ address: '127.0.0.1', family: 4 }], [{ address: '127.0.0.2', family: 4 }]];
    let lookups = 0;
    const rebinding: LookupAll = async () => answers[Math.min(lookups++, 1)]!;
    try {
      const failure = await fetchFromPlatform(new URL(`http://rebind.example:${port}/.well-known/openid-configuration`), {}, { maxBytes: 1024, timeoutMs: 10_000, allowPrivateAddresses: true, lookup: rebinding })
        .then(() => undefined, (err: unknown) => err);
      expect(failure).to.be.instanceOf(PlatformFetchError).with.property('reason', 'too-large');
      expect(checked.connections()).to.equal(1);
      expect(rebound).to.equal(0);
      expect(lookups).to.equal(1);
    } finally {
      other.close();
      await checked.close();
    }
  });

  it('refuses a host whose address is not public before connecting, and never follows a redirect', async () => {
    const loopback: LookupAll = async () => [{ address: '127.0.0.1', family: 4 }];
    const refused = await fetchFromPlatform(new URL('https://looks-public.example/x'), {}, { maxBytes: MAX, timeoutMs: 1000, allowPrivateAddresses: false, lookup: loopback }).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(PlatformFetchError).with.property('reason', 'address');
    const redirecting = http.createServer((_req, res) => { res.writeHead(302, { location: 'http://169.254.169.254/latest' }).end(); });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const url = new URL(`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/x`);
      const redirected = await fetchFromPlatform(url, {}, { maxBytes: MAX, timeoutMs: 1000, allowPrivateAddresses: true, lookup: systemLookup }).catch((e: unknown) => e);
      expect(redirected).to.be.instanceOf(PlatformFetchError).with.property('reason', 'redirect');
    } finally {
      redirecting.close();
    }
  });
});

describe('registrationFrameOrigins (who may frame /lti/register before the configuration is read)', () => {
  it('is the configuration address’s origin; hosted Canvas adds *.instructure.com, where its admins are', () => {
    expect(registrationFrameOrigins('https://moodle.example.edu/mod/lti/openid-configuration.php')).to.deep.equal(['https://moodle.example.edu']);
    expect(registrationFrameOrigins('https://canvas.instructure.com/api/lti/security/openid-configuration?registration_token=x'))
      .to.deep.equal(['https://canvas.instructure.com', 'https://*.instructure.com']);
    expect(registrationFrameOrigins('javascript:alert(1)')).to.deep.equal([]);
    expect(registrationFrameOrigins(['https://a.example', 'https://b.example'])).to.deep.equal([]);
  });
});

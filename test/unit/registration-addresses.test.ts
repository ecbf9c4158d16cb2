import { expect } from 'chai';
import { isPublicHost } from '../../lti/registration.service.ts';

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

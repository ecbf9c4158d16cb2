import { expect } from 'chai';
import { loadConfig, ConfigError } from '../../server/config.ts';

describe('loadConfig', () => {
  it('gives a working development default with nothing set', () => {
    const c = loadConfig({});
    expect(c).to.include({ port: 3000, dataDir: './data', env: 'development', secureCookies: false, databaseUrl: undefined });
    expect(c.publicUrl.href).to.equal('http://localhost:3000/');
  });

  it('turns on secure cookies for an https PUBLIC_URL and normalises trusted issuers', () => {
    const c = loadConfig({ PUBLIC_URL: 'https://tool.example', TRUSTED_ISSUERS: 'https://moodle.example/, https://lms.example ' });
    expect(c.secureCookies).to.equal(true);
    expect(c.trustedIssuers).to.deep.equal(['https://moodle.example', 'https://lms.example']);
  });

  it('refuses production without secrets, a bad port, or an admin email without a password', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(ConfigError, /SESSION_SECRET/);
    expect(() => loadConfig({ PORT: 'eighty' })).to.throw(ConfigError, /PORT/);
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@b.example' })).to.throw(ConfigError, /ADMIN_PASSWORD/);
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@b.example', ADMIN_PASSWORD: 'short' })).to.throw(ConfigError, /ADMIN_PASSWORD/);
  });

  it('reads TRUST_PROXY as Express does', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).to.equal(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).to.equal(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).to.equal('loopback');
  });
});

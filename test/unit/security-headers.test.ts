// The CSP's script nonce: 16 random bytes per response, never the same twice (across refills of the
// pool it is drawn from), and the one the page's scripts carry is the one in the header.
import { expect } from 'chai';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { securityHeaders } from '../../server/http/security-headers.ts';

describe('security headers: the CSP nonce', () => {
  let server: http.Server;
  let url: string;
  before(async () => {
    const app = express();
    app.use(securityHeaders({ listFrameOrigins: async () => ['https://lms.example'], upgradeInsecure: false }));
    app.get('/', (_req, res) => {
      res.send(String(res.locals.cspNonce));
    });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('gives each response its own 16-byte nonce, the same in the header as in the page', async () => {
    const seen = new Set<string>();
    // Past 256 responses: the pool the nonces come from is refilled on the way.
    for (let i = 0; i < 600; i++) {
      const res = await fetch(url);
      const nonce = await res.text();
      expect(Buffer.from(nonce, 'base64')).to.have.length(16);
      expect(res.headers.get('content-security-policy')).to.contain(`script-src 'self' 'nonce-${nonce}'`).and.to.contain("frame-ancestors 'self' https://lms.example");
      seen.add(nonce);
    }
    expect(seen.size).to.equal(600);
  });
});

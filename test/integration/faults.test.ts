// Faults the product must survive. Here: the database away. A page then answers a plain 503 (no
// stack, no driver message) and does not hang while the pool waits for a connection.
import { expect } from 'chai';
import net from 'node:net';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { freePort } from '../support/processes.ts';

describe('faults: the database is away', function () {
  this.timeout(30_000);

  async function expectPlain503(app: TestApp): Promise<void> {
    const res = await fetch(`${app.url}/`, { headers: { accept: 'text/html' } });
    const body = await res.text();
    expect(res.status, body).to.equal(503);
    expect(body).to.contain('cannot reach its database');
    expect(body).to.not.match(/ECONNREFUSED|timeout exceeded|\bat \S+ \(|node_modules/);
  }

  it('answers a page with a plain 503 when PostgreSQL refuses connections', async () => {
    const app = await startTestApp({}, { databaseUrl: `postgres://circlework@127.0.0.1:${await freePort()}/circlework` });
    try {
      await expectPlain503(app);
    } finally {
      await app.close();
    }
  });

  it('answers a 503 instead of hanging when PostgreSQL accepts but never answers (bounded connection wait)', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => { sockets.add(socket); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const app = await startTestApp({}, { databaseUrl: `postgres://circlework@127.0.0.1:${port}/circlework` });
    try {
      // Without a connection timeout the request would wait forever; the abort turns that into a failure.
      const res = await fetch(`${app.url}/`, { headers: { accept: 'text/html' }, signal: AbortSignal.timeout(20_000) });
      expect(res.status).to.equal(503);
      expect(await res.text()).to.contain('cannot reach its database');
    } finally {
      await app.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

// `npm start` as a new user runs it: no database installed, an embedded PostgreSQL under DATA_DIR,
// reused on the next start; SIGTERM shuts everything down, PostgreSQL included.
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, runScript, startScript, waitFor } from '../support/processes.ts';

describe('server process (embedded PostgreSQL)', function () {
  this.timeout(180_000);
  let dataDir: string;

  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'circlework-start-'));
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  /** `ctrlC`: SIGINT to the server's whole process group (the embedded PostgreSQL too), as a terminal's Ctrl-C sends it. */
  async function startOnce(stop: 'SIGTERM' | 'SIGKILL' | 'ctrlC' = 'SIGTERM', whileRunning?: (baseUrl: string) => Promise<void>): Promise<string> {
    const port = await freePort();
    const pgPort = await freePort();
    const server = startScript('server/main.ts', { PORT: String(port), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'info', NODE_ENV: 'development' }, [], { ownGroup: stop === 'ctrlC' });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 'the server to answer /healthz');
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(home.status).to.equal(200);
      await whileRunning?.(`http://127.0.0.1:${port}`);
    } finally {
      if (stop === 'ctrlC') process.kill(-server.child.pid!, 'SIGINT');
      else server.child.kill(stop);
    }
    const code = await server.exited;
    if (stop !== 'SIGKILL') expect(code).to.equal(0);
    return server.output();
  }

  it('creates its database under DATA_DIR, serves pages, and stops cleanly on SIGTERM', async () => {
    const output = await startOnce();
    expect(output).to.contain('creating an embedded PostgreSQL');
    expect(output).to.contain('shutdown complete');
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).to.equal(true);
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(false);
    expect(fs.existsSync(path.join(dataDir, 'secrets.json'))).to.equal(true);
  });

  it('stops quietly on Ctrl-C, which reaches its embedded PostgreSQL too: the connections it ends are no error', async () => {
    const output = await startOnce('ctrlC');
    expect(output).to.contain('shutdown complete');
    const errors = output.split('\n').filter((line) => /"level":(50|60)/.test(line) || /"msg":"cache invalidations/.test(line));
    expect(errors, errors.join('\n')).to.deep.equal([]);
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(false);
  });

  it('reuses the same database on the next start', async () => {
    const output = await startOnce();
    expect(output).not.to.contain('creating an embedded PostgreSQL');
    expect(output).not.to.contain('applied migrations');
  });

  it('keeps an idle connection open longer than clients and proxies keep theirs (60 s), so it never closes one a request is reusing', async () => {
    await startOnce('SIGTERM', async (baseUrl) => {
      const agent = new http.Agent({ keepAlive: true });
      const header = await new Promise<string | undefined>((resolve, reject) => {
        http.get(`${baseUrl}/healthz`, { agent }, (res) => { res.resume(); resolve(String(res.headers['keep-alive'] ?? '')); }).on('error', reject);
      }).finally(() => agent.destroy());
      expect(Number(/timeout=(\d+)/.exec(header ?? '')?.[1]), `Keep-Alive: ${header}`).to.be.above(60);
    });
  });

  it('starts again after being killed (SIGKILL), stopping the PostgreSQL it left running', async () => {
    await startOnce('SIGKILL');
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(true);
    const output = await startOnce();
    expect(output).to.contain('stopping a leftover embedded PostgreSQL');
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(false);
  });

  it('lets the CLI use the running server’s embedded PostgreSQL without stopping it', async () => {
    await startOnce('SIGTERM', async (baseUrl) => {
      const list = await runScript('server/platforms/platform-cli.ts', ['list'], { DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
      expect(list.code, list.stderr).to.equal(0);
      expect(list.stdout).to.contain('No platforms registered.');
      expect((await fetch(`${baseUrl}/healthz`)).status).to.equal(200);
    });
  });

  it('says what is wrong and exits non-zero when the embedded PostgreSQL’s port or the HTTP port is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const busyPort = String((taken.address() as net.AddressInfo).port);
    try {
      const pgBusy = startScript('server/main.ts', { PORT: String(await freePort()), DATA_DIR: dataDir, EMBEDDED_PG_PORT: busyPort, LOG_LEVEL: 'info', NODE_ENV: 'development' });
      expect(await pgBusy.exited).to.equal(1);
      expect(pgBusy.output()).to.contain(`cannot listen on 127.0.0.1:${busyPort}`).and.to.contain('EMBEDDED_PG_PORT');
      expect(pgBusy.output()).to.not.match(/\bundefined\b/);
      // In production the log is written asynchronously: what it said just before exiting is still written.
      const secrets = { SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789', LTI_ENCRYPTION_KEY: 'test-lti-encryption-key-0123456789abcdef012345' };
      const pgBusyInProduction = startScript('server/main.ts', { PORT: String(await freePort()), DATA_DIR: dataDir, EMBEDDED_PG_PORT: busyPort, LOG_LEVEL: 'info', NODE_ENV: 'production', ...secrets });
      expect(await pgBusyInProduction.exited).to.equal(1);
      expect(pgBusyInProduction.output()).to.contain(`cannot listen on 127.0.0.1:${busyPort}`);

      const httpBusy = startScript('server/main.ts', { PORT: busyPort, HOST: '127.0.0.1', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), LOG_LEVEL: 'info', NODE_ENV: 'development' });
      expect(await httpBusy.exited).to.equal(1);
      expect(httpBusy.output()).to.contain(`Port ${busyPort} on 127.0.0.1 is already in use`);
      // The embedded PostgreSQL it had started is stopped again.
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(false);
    } finally {
      taken.close();
    }
  });

  // Someone else stops the embedded PostgreSQL (a `pkill` matching the install's path, a system
  // shutdown, a crash): the app stops too instead of answering 503 on a database that is gone.
  for (const [signal, code, says] of [
    // "Smart": PostgreSQL waits for its clients to leave, the app's own connections among them.
    ['SIGTERM', 0, 'the embedded PostgreSQL was asked to shut down (smart): shutting down'],
    ['SIGKILL', 1, 'the embedded PostgreSQL was killed (SIGKILL): shutting down'],
  ] as const) {
    it(`stops too when its embedded PostgreSQL gets ${signal} from elsewhere (exit code ${code})`, async () => {
      const port = await freePort();
      const server = startScript('server/main.ts', { PORT: String(port), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), LOG_LEVEL: 'info', NODE_ENV: 'development' });
      try {
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 'the server to answer /healthz');
        const postmaster = Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
        process.kill(postmaster, signal);
        expect(await server.exited, server.output()).to.equal(code);
        expect(server.output()).to.contain(says);
        if (signal === 'SIGTERM') expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), 'PostgreSQL stopped').to.equal(false);
      } finally {
        server.child.kill('SIGKILL');
      }
    });
  }
});

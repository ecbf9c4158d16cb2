// npm run platform -- … : the admin console's platform operations from a shell.
import { expect } from 'chai';
import { runScript } from '../support/processes.ts';
import { openTestDb, resetDatabase, testDatabaseUrl } from '../support/test-database.ts';
import type { DbHandle } from '../../models/db.ts';

describe('platform CLI', function () {
  this.timeout(60_000);
  let handle: DbHandle;
  const env = () => ({ DATABASE_URL: testDatabaseUrl(), LTI_ENCRYPTION_KEY: 'cli-test-key-0123456789abcdef0123456789', SESSION_SECRET: 'cli-test-session-0123456789abcdef012345' });
  const cli = (...args: string[]) => runScript('server/platforms/platform-cli.ts', args, env());

  before(() => {
    handle = openTestDb();
  });
  after(() => handle.close());
  beforeEach(() => resetDatabase(handle));

  it('adds, lists, disables, activates a platform and adds a deployment', async () => {
    const add = await cli('add', '--issuer', 'https://moodle.cli.example', '--client-id', 'c1', '--name', 'CLI Moodle', '--product', 'moodle',
      '--auth-url', 'https://moodle.cli.example/auth', '--token-url', 'https://moodle.cli.example/token', '--jwks-url', 'https://moodle.cli.example/jwks', '--deployment', '3');
    expect(add.code, add.stderr).to.equal(0);
    const id = /Added platform ([0-9a-f-]{36}) \(active\)/.exec(add.stdout)?.[1];
    expect(id).to.be.a('string');

    const list = await cli('list');
    expect(list.stdout).to.contain('https://moodle.cli.example').and.contain('deployment 3  active');

    expect((await cli('disable', id!)).stdout).to.contain('now disabled');
    expect((await handle.db.selectFrom('platforms').select('status').executeTakeFirstOrThrow()).status).to.equal('disabled');
    expect((await cli('activate', id!)).stdout).to.contain('now active');
    expect((await cli('add-deployment', id!, '4')).stdout).to.contain('Deployment 4');
    expect(await handle.db.selectFrom('tenants').select('deploymentId').orderBy('deploymentId').execute()).to.deep.equal([{ deploymentId: '3' }, { deploymentId: '4' }]);
  });

  it('exits 1 with a message on bad input, and 2 with usage for an unknown command', async () => {
    const bad = await cli('add', '--issuer', 'nope', '--client-id', 'c1');
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('issuer');
    expect(await handle.db.selectFrom('platforms').selectAll().execute()).to.have.length(0);
    const unknown = await cli('explode');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain('Usage');
  });
});

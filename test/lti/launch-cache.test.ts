// Launches read their platform (our row and ltijs's copy) and their deployment through the app's
// in-process cache. A change written elsewhere (another process, the CLI, psql: here a second pool)
// takes effect at this app's next login or launch once the NOTIFY has arrived (polled, never slept).
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { openTestDb, resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import { waitFor } from '../support/wait.ts';
import { setDeploymentPolicy, setDeploymentStatus, setPlatformStatus } from '../../server/platforms/platforms.service.ts';
import type { DbHandle } from '../../models/db.ts';

const alice = { sub: 'alice-1', name: 'Alice Learner', roles: [ROLES.learner] };

describe('launch lookups through the cache, changed elsewhere', () => {
  let app: TestApp;
  let elsewhere: DbHandle;
  let moodle: LtiPlatformSimulator;
  let lms: ConnectedPlatform;

  before(async () => {
    app = await startTestApp();
    elsewhere = openTestDb(2);
    moodle = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });
  after(async () => {
    await moodle.close();
    await app.close();
    await elsewhere.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    lms = await connectPlatform(app, moodle);
  });

  const deps = () => ({ db: elsewhere.db, ltiEncryptionKey: app.config.ltiEncryptionKey! });
  const launch = (deploymentId?: string) => moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, ...(deploymentId ? { deploymentId } : {}) });
  const errorOf = (body: string) => parse(body).querySelector('[data-test=error-message]')?.text ?? '';
  const untilLaunch = (what: string, deploymentId: string | undefined, accept: (res: { status: number; body: string }) => boolean) =>
    waitFor(what, async () => accept(await launch(deploymentId)));

  it('refuses the login once the platform is disabled elsewhere (ltijs’s cached copy is dropped)', async () => {
    expect((await launch()).status).to.equal(200); // the platform, its ltijs documents and the deployment are cached now
    expect((await launch()).status).to.equal(200);
    await setPlatformStatus(deps(), lms.platform.id, 'disabled');
    await untilLaunch('the login to be refused', undefined, (res) => res.status === 403 && errorOf(res.body).includes('disabled'));
  });

  it('follows a deployment policy changed elsewhere (the cached platform row is dropped)', async () => {
    expect((await launch()).status).to.equal(200);
    const refused = await launch('dep-later');
    expect(refused.status).to.equal(403);
    expect(errorOf(refused.body)).to.contain('add deployment id dep-later');
    await setDeploymentPolicy(deps(), lms.platform.id, 'record');
    await untilLaunch('a new deployment to be recorded', 'dep-later', (res) => res.status === 200);
  });

  it('refuses a launch through a deployment disabled elsewhere, and lets it in again once enabled', async () => {
    expect((await launch()).status).to.equal(200);
    const tenant = await elsewhere.db.selectFrom('tenants').select('id').where('platformId', '=', lms.platform.id).executeTakeFirstOrThrow();
    await setDeploymentStatus(deps(), lms.platform.id, tenant.id, 'disabled');
    await untilLaunch('the deployment to be refused', undefined, (res) => res.status === 403 && errorOf(res.body).includes('disabled'));
    // A refusal is read from PostgreSQL, never from memory: re-enabled, it launches at once.
    await setDeploymentStatus(deps(), lms.platform.id, tenant.id, 'active');
    expect((await launch()).status).to.equal(200);
  });
});

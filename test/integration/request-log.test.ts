// The request log: one line per answered request naming the request and its status, and never a
// cookie: the session cookie a browser sends, nor the one a launch sets.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import { cohortMembers } from '../support/cohort-members.ts';

describe('request log', () => {
  const lines: string[] = [];
  const env = {} as { app: TestApp; sim: LtiPlatformSimulator; lms: ConnectedPlatform };
  const people = cohortMembers(() => env, { id: 'request-log' });
  before(async () => {
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), done()) });
    env.app = await startTestApp({}, { log: pino({ level: 'info' }, sink) });
    env.sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    await resetDatabase(env.app.handle);
    env.lms = await connectPlatform(env.app, env.sim);
  });
  after(async () => {
    await env.sim?.close();
    await env.app?.close();
  });

  it('logs each request’s method, address and status, and no cookie sent or set', async () => {
    // The launch's answers set the session cookie; the page's request sends it.
    const m = await people.launch({ sub: 'logged', name: 'Logged Learner', roles: [ROLES.learner] });
    expect((await people.get(m, `${m.base}/notifications`)).status).to.equal(200);
    const cookies = (await m.browser.cookies(env.app.url)).map((c) => c.value);
    expect(cookies).to.not.be.empty;
    const done = lines
      .map((l) => JSON.parse(l) as { msg: string; req?: Record<string, unknown>; res?: Record<string, unknown> })
      .find((l) => l.msg === 'request completed' && l.req?.url === `/cohorts/${m.cohortId}/notifications`);
    expect(done?.req).to.include({ method: 'GET', url: `/cohorts/${m.cohortId}/notifications` });
    expect(done?.res).to.include({ statusCode: 200 });
    const all = lines.join('\n');
    for (const value of cookies) expect(all).to.not.contain(value);
    expect(all).to.not.match(/cookie/i);
  });
});

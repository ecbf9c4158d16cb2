// Reading a page writes nothing to the session store: the session's expiry is set when the session
// is saved (at launch, or when a page changes it), not touched on every GET.
import { expect } from 'chai';
import { sql } from 'kysely';
import { statementsDuring } from '../support/statements-during.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { LtiHttpClient } from '../support/lti-platform-simulator.ts';

/** The statements that write http_sessions while `work` runs. */
async function countSessionWrites(work: () => Promise<void>): Promise<string[]> {
  const writes: string[] = [];
  for (const text of (await statementsDuring(work)).statements) {
    const write = /^\s*(INSERT|UPDATE|DELETE)\b[^;]*\bhttp_sessions\b/i.exec(text);
    // The test's own marker UPDATE is not the app's.
    if (write && !text.includes('SET expire =')) writes.push(write[1]!.toUpperCase());
  }
  return writes;
}

describe('session writes', () => {
  const { env, launch, get } = cohortSuite({ context: { id: 'session-writes' } });

  it('leaves the stored session untouched when a signed-in person reads pages', async () => {
    const m = await launch({ sub: 'reader', name: 'Reader', roles: [ROLES.learner] });
    const marked = new Date('2030-01-01T00:00:00Z');
    await sql`UPDATE http_sessions SET expire = ${marked}`.execute(env.app.db);
    for (const path of ['', '/modules/1']) expect((await get(m, `${m.base}${path}`)).status).to.equal(200);
    const { rows } = await sql<{ expire: Date }>`SELECT expire FROM http_sessions`.execute(env.app.db);
    expect(rows.map((r) => r.expire.toISOString())).to.deep.equal([marked.toISOString()]);
  });

  it('saves the session once at launch, with its CSRF token, so the first page writes nothing', async () => {
    const sim = env.lms.sim;
    const browser = new LtiHttpClient();
    const framed = { initiator: sim.baseUrl, frameTop: sim.baseUrl };
    const started = await sim.beginLaunch(env.app.url, browser, { user: { sub: 'first-page', name: 'First Page', roles: [ROLES.learner] }, clientId: env.lms.clientId, context: { id: 'session-writes' } });
    const writes = await countSessionWrites(async () => {
      const posted = await browser.request(started.redirectUri, { form: { id_token: started.idToken, state: started.state }, ...framed });
      expect(posted.status).to.equal(303);
      const marked = new Date('2030-01-01T00:00:00Z');
      await sql`UPDATE http_sessions SET expire = ${marked}`.execute(env.app.db);
      const first = await browser.request(new URL(posted.headers.get('location')!, env.app.url).href, framed);
      expect(first.status).to.equal(200);
      const { rows } = await sql<{ expire: Date }>`SELECT expire FROM http_sessions`.execute(env.app.db);
      expect(rows.map((r) => r.expire.toISOString()), 'the first page saved the session again').to.deep.equal([marked.toISOString()]);
    });
    expect(writes, 'writes to http_sessions during the launch').to.deep.equal(['INSERT']);
  });
});

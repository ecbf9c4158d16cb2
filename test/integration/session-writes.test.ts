// Reading a page writes nothing to the session store: the session's expiry is set when the session
// is saved (at launch, or when a page changes it), not touched on every GET.
import { expect } from 'chai';
import { sql } from 'kysely';
import { cohortSuite } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';

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
});

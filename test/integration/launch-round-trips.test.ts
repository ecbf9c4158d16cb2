// What a launch asks of PostgreSQL: one statement records it and uses up its login, one saves the
// session, and the page it lands on reads the membership's standing from what that statement read
// (the unread count included), not from PostgreSQL again.
import { expect } from 'chai';
import { sql } from 'kysely';
import { parse } from 'node-html-parser';
import { cohortSuite } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { requestStatements, statementsDuring } from '../support/statements-during.ts';
import { findMembershipStanding } from '../../models/cohorts.queries.ts';

describe('a launch’s round trips', () => {
  const { env, launch, follow, post } = cohortSuite({ context: { id: 'launch-round-trips', title: 'Round trips' } });

  /** Launches `user` in a new browser: the statements of the id_token's POST and of the page it leads to. */
  async function launchAndOpen(user: SimUser) {
    const sim = env.lms.sim;
    const browser = new LtiHttpClient();
    const started = await sim.beginLaunch(env.app.url, browser, { user, clientId: env.lms.clientId, context: { id: 'launch-round-trips' } });
    const launched = await statementsDuring(() => browser.request(started.redirectUri, { form: { id_token: started.idToken, state: started.state } }));
    expect(launched.result.status).to.equal(303);
    const opened = await statementsDuring(() => browser.request(new URL(launched.result.headers.get('location')!, env.app.url).href));
    expect(opened.result.status).to.equal(200);
    return { launch: requestStatements(launched.statements), page: requestStatements(opened.statements), body: opened.result.body };
  }
  // findMembershipStanding's statement, by its opening (requestStatements shortens each to 90 characters).
  const standingReads = (statements: string[]) => statements.filter((q) => q.startsWith('select "m"."role", "m"."status" as "membership_status"'));
  const membershipOf = (sub: string) => env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select(['m.tenantId', 'm.id']).where('p.sub', '=', sub).executeTakeFirstOrThrow();
  /** The standing the app keeps for the member (undefined when none is kept), and the database's. */
  const keptAndStored = async (sub: string) => {
    const { tenantId, id } = await membershipOf(sub);
    const kept = env.app.caches.shared.has(`standing:${tenantId}:${id}`) ? await env.app.caches.membershipStanding(tenantId, id) : undefined;
    return { kept, stored: await findMembershipStanding(env.app.db, tenantId, id) };
  };

  it('records the launch and uses up its login in one statement, and saves the session in one more', async () => {
    await launch({ sub: 'first', name: 'First', roles: [ROLES.learner] }); // the platform and deployment are read once, then kept
    const { launch: statements, page } = await launchAndOpen({ sub: 'counted', name: 'Counted', roles: [ROLES.learner] });
    expect(statements, statements.join('\n')).to.have.length(2);
    expect(statements[0]).to.match(/^\s*WITH login AS \( DELETE FROM lti_logins/);
    expect(statements[1]).to.match(/^\s*INSERT INTO "http_sessions"/);
    // A brand-new membership: its standing is kept as the database has it, and its page reads none.
    expect(standingReads(page), page.join('\n')).to.deep.equal([]);
    const { kept, stored } = await keptAndStored('counted');
    expect(kept).to.deep.equal(stored).and.to.deep.include({ role: 'learner', membershipStatus: 'active', unreadNotifications: 0 });
  });

  it('keeps a facilitator’s standing from the launch too', async () => {
    const { page } = await launchAndOpen({ sub: 'lead', name: 'Lead', roles: [ROLES.instructor] });
    expect(standingReads(page), page.join('\n')).to.deep.equal([]);
    const { kept, stored } = await keptAndStored('lead');
    expect(kept).to.deep.equal(stored).and.to.deep.include({ role: 'facilitator' });
  });

  it('opens the first page with the standing the launch read: no statement of its own, and the unread count as the database has it', async () => {
    const ann = await launch({ sub: 'ann', name: 'Ann', roles: [ROLES.learner] });
    const space = await follow(ann, `${ann.base}/commons`);
    expect((await post(ann, `${space}/threads`, { title: 'Hello', body: 'First words' })).status).to.equal(303);
    // Two mentions of Ann waiting for her, as posts by others would write them.
    const { tenantId, id } = await membershipOf('ann');
    await sql`INSERT INTO notifications (tenant_id, membership_id, kind, actor_membership_id, thread_id, post_id)
      SELECT tenant_id, ${id}, 'mention', ${id}, thread_id, id FROM posts, generate_series(1, 2) WHERE tenant_id = ${tenantId}`.execute(env.app.db);

    const again = await launchAndOpen({ sub: 'ann', name: 'Ann', roles: [ROLES.learner] });
    expect(standingReads(again.page), again.page.join('\n')).to.deep.equal([]);
    expect(parse(again.body).querySelector('[data-test=unread-count]')?.text).to.equal('2');
    const { kept, stored } = await keptAndStored('ann');
    expect(kept).to.deep.equal(stored).and.to.deep.include({ unreadNotifications: 2 });
  });

  it('reads the standing again after a launch that changed it (a member made active again), and lets them in', async () => {
    await launch({ sub: 'back', name: 'Back', roles: [ROLES.learner] });
    await sql`UPDATE memberships SET status = 'inactive' WHERE person_id = (SELECT id FROM persons WHERE sub = 'back')`.execute(env.app.db);
    const back = await launchAndOpen({ sub: 'back', name: 'Back', roles: [ROLES.learner] });
    // The launch's own change is heard (on its own connection while the statement runs, and again
    // from the LISTEN connection just after): what the statement read is not served from memory.
    expect(standingReads(back.page), back.page.join('\n')).to.have.length(1);
  });
});

// The facilitator console's "needs attention" list (issue 16 item 7) over real HTTP and PostgreSQL:
// each kind of item appears when its condition holds and not otherwise, each with its one action;
// "Nothing needs you today" when nothing does; and a facilitator of another cohort of the same LMS
// sees none of ours.
import { expect } from 'chai';
import { sql } from 'kysely';
import { ROLES } from '../support/lti-fixtures.ts';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { requestStatements, statementsDuring } from '../support/statements-during.ts';

const DAY = 86_400_000;
const learner = (i: number): SimUser => ({ sub: `a${i}`, name: `Ari ${i}`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('facilitator console: needs attention', () => {
  const { env, clock, launch, get, post, follow } = cohortSuite({ context: { id: 'course-attention', title: 'Attention course' } });
  const db = () => env.app.db;

  /** The console's attention items: kind → [text, action href]. */
  async function attention(f: Member) {
    const page = await get(f, `${f.base}/console`);
    expect(page.status, page.body.slice(0, 300)).to.equal(200);
    const items = page.doc.querySelectorAll('[data-test=attention-item]');
    const empty = page.doc.querySelector('[data-test=nothing-needs-you]');
    expect(items.length === 0, 'the empty state shows exactly when no item does').to.equal(empty !== null);
    return new Map(items.map((i) => [i.getAttribute('data-kind')!, [i.querySelector('.attention-text')!.text.trim(), i.querySelector('[data-test=attention-action]')!.getAttribute('href')!]]));
  }
  const tenantOf = async (cohortId: string) => (await db().selectFrom('cohorts').select('tenantId').where('id', '=', cohortId).executeTakeFirstOrThrow()).tenantId;
  const membershipOf = async (cohortId: string, sub: string) =>
    (await db().selectFrom('memberships as m').innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId')).select('m.id').where('p.sub', '=', sub).where('m.cohortId', '=', cohortId).executeTakeFirstOrThrow()).id;

  async function flagAPost(author: Member, flagger: Member) {
    const commons = await follow(author, `${author.base}/commons`);
    const t = await post(author, `${commons}/threads`, { title: 'Hello', body: 'Hello everyone' });
    expect(t.status, t.body.slice(0, 300)).to.equal(303);
    const postId = (await get(author, new URL(t.location!, env.app.url).href)).doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    expect((await post(flagger, `${flagger.base}/posts/${postId}/flag`, { flagReason: 'Off topic' })).status).to.equal(303);
    return postId;
  }
  async function rosterOnlyLearner(cohortId: string, sub: string) {
    const tenantId = await tenantOf(cohortId);
    const person = await db().insertInto('persons').values({ tenantId, sub, name: `Roster ${sub}` }).returning('id').executeTakeFirstOrThrow();
    return (await db().insertInto('memberships').values({ tenantId, cohortId, personId: person.id, role: 'learner', status: 'active' }).returning('id').executeTakeFirstOrThrow()).id;
  }
  async function failedGrade(cohortId: string, membershipId: string, at: Date) {
    const tenantId = await tenantOf(cohortId);
    const link = await db().selectFrom('resourceLinks').select('resourceLinkId').where('tenantId', '=', tenantId).where('cohortId', '=', cohortId).executeTakeFirstOrThrow();
    return (await db().insertInto('gradeOutbox').values({ tenantId, membershipId, resourceLinkId: link.resourceLinkId, payload: JSON.stringify({ scoreGiven: 1 }), scoreTimestamp: at, status: 'failed', attempts: 5, lastError: 'The LMS refused the score (400)' }).returning('id').executeTakeFirstOrThrow()).id;
  }
  async function submittedPlanWithCheckInDue(cohortId: string, membershipId: string, endsOn: string) {
    const tenantId = await tenantOf(cohortId);
    await db().insertInto('actionPlanSchedules').values({ tenantId, cohortId, endsOn, checkInWeeks: [2, 4] }).onConflict((c) => c.columns(['tenantId', 'cohortId']).doUpdateSet({ endsOn })).execute();
    const goals = [{ title: 'Ask for feedback', actions: ['Ask weekly'], dueOn: '2027-01-01', success: 'Feedback given', support: '' }];
    return (await db().insertInto('actionPlans').values({ tenantId, cohortId, membershipId, goals: JSON.stringify(goals), visibility: 'private', status: 'submitted', submittedAt: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
  }
  const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  it('says “Nothing needs you today” in a cohort where all is well, and a learner cannot open the console', async () => {
    const a1 = await launch(learner(1));
    const f = await launch(fran);
    expect(await attention(f)).to.deep.equal(new Map());
    expect((await get(a1, `${a1.base}/console`)).status).to.equal(403);
    // Read warm, the console asks nothing twice (the heatmap and the quiet learners share one read of
    // the kept figures) and never reads the cohort, which the page already holds.
    const { statements, result: page } = await statementsDuring(() => get(f, `${f.base}/console`));
    expect(page.status).to.equal(200);
    const asked = requestStatements(statements);
    expect(asked.filter((q, i) => asked.indexOf(q) !== i), 'statements sent twice').to.deep.equal([]);
    expect(asked.filter((q) => /^select \* from "cohorts"/i.test(q)), 'cohort reads').to.deep.equal([]);
  });

  it('lists flagged posts until the flag is dealt with, leading to the moderation queue', async () => {
    const a1 = await launch(learner(1));
    const a2 = await launch(learner(2));
    const f = await launch(fran);
    expect((await attention(f)).has('flags')).to.equal(false);
    const postId = await flagAPost(a1, a2);
    expect((await attention(f)).get('flags')).to.deep.equal(['1 post flagged by members', `/cohorts/${f.cohortId}/console/moderation`]);
    const flag = await db().selectFrom('postFlags').select('id').where('postId', '=', postId).executeTakeFirstOrThrow();
    expect((await post(f, `${f.base}/console/moderation/flags/${flag.id}/dismiss`, {})).status).to.equal(303);
    expect((await attention(f)).has('flags')).to.equal(false);
  });

  it('lists learners on the roster who never opened Circlework, until they launch or are nudged today, leading to the nudges', async () => {
    await launch(learner(1));
    const f = await launch(fran);
    const roster = await rosterOnlyLearner(f.cohortId, 'a9');
    await rosterOnlyLearner(f.cohortId, 'a8');
    expect((await attention(f)).get('never-launched')).to.deep.equal(['2 learners never opened Circlework', `/cohorts/${f.cohortId}/console/dashboard#quiet`]);
    expect((await post(f, `${f.base}/console/nudges/${roster}`, { message: 'Come and join us' })).status).to.equal(303);
    expect((await attention(f)).get('never-launched')?.[0]).to.equal('1 learner never opened Circlework');
    await launch(learner(8));
    expect((await attention(f)).has('never-launched')).to.equal(false);
    // a member the LMS removed from the course needs nothing
    await db().updateTable('memberships').set({ status: 'inactive' }).where('id', '=', roster).execute();
    expect((await attention(f)).has('never-launched')).to.equal(false);
  });

  it('lists learners quiet for the cohort’s quiet days, not before, and not once they act', async () => {
    const a1 = await launch(learner(1));
    const f = await launch(fran);
    clock.offsetMs = 6 * DAY;
    expect((await attention(f)).has('quiet')).to.equal(false);
    clock.offsetMs = 7 * DAY + 60_000;
    expect((await attention(f)).get('quiet')).to.deep.equal(['1 learner has gone quiet', `/cohorts/${f.cohortId}/console/dashboard#quiet`]);
    // the cohort's own quiet days count
    expect((await post(f, `${f.base}/console/dashboard/settings`, { quietDays: '10' })).status).to.equal(303);
    expect((await attention(f)).has('quiet')).to.equal(false);
    clock.offsetMs = 11 * DAY;
    expect((await attention(f)).has('quiet')).to.equal(true);
    // an activity answer wakes them up (saved now, on the test's clock)
    expect((await post(a1, `${a1.base}/modules/1/activities/set-your-intention`, { intent: 'draft', text: 'My intention' })).status).to.equal(303);
    await db().updateTable('activityResponses').set({ updatedAt: clock.now() }).execute();
    expect((await attention(f)).has('quiet')).to.equal(false);
  });

  it('lists scores the LMS refused for good, unless a newer score for that learner and link replaced them, leading to the grades page', async () => {
    const a1 = await launch(learner(1));
    const f = await launch(fran);
    const m1 = await membershipOf(a1.cohortId, 'a1');
    expect((await attention(f)).has('grades')).to.equal(false);
    await failedGrade(f.cohortId, m1, new Date(Date.now() - 60_000));
    expect((await attention(f)).get('grades')).to.deep.equal(['1 score the LMS did not accept', `/cohorts/${f.cohortId}/console/grades`]);
    // a newer score for the same learner and link, sent: nothing left to do
    const tenantId = await tenantOf(f.cohortId);
    const link = await db().selectFrom('resourceLinks').select('resourceLinkId').where('cohortId', '=', f.cohortId).executeTakeFirstOrThrow();
    await db().insertInto('gradeOutbox').values({ tenantId, membershipId: m1, resourceLinkId: link.resourceLinkId, payload: JSON.stringify({ scoreGiven: 2 }), scoreTimestamp: new Date(), status: 'delivered', deliveredAt: new Date() }).execute();
    expect((await attention(f)).has('grades')).to.equal(false);
  });

  it('lists learners with a check-in due and not recorded, leading to the action plans console', async () => {
    const a1 = await launch(learner(1));
    const f = await launch(fran);
    const m1 = await membershipOf(a1.cohortId, 'a1');
    // the course ends in a week: the first check-in (2 weeks after) is not due yet
    const planId = await submittedPlanWithCheckInDue(f.cohortId, m1, isoDay(Date.now() + 7 * DAY));
    expect((await attention(f)).has('check-ins')).to.equal(false);
    // it ended three weeks ago: check-in 1 is due
    await db().updateTable('actionPlanSchedules').set({ endsOn: isoDay(Date.now() - 21 * DAY) }).where('cohortId', '=', f.cohortId).execute();
    expect((await attention(f)).get('check-ins')).to.deep.equal(['1 learner has a check-in due and not recorded', `/cohorts/${f.cohortId}/action-plans/console`]);
    const tenantId = await tenantOf(f.cohortId);
    await db().insertInto('checkIns').values({ tenantId, planId, seq: 1, entries: JSON.stringify([]), journal: '', journalShared: false }).execute();
    expect((await attention(f)).has('check-ins')).to.equal(false);
  });

  it('counts the same quiet and never-launched learners as the dashboard lists (one rule), less those nudged today', async () => {
    const a1 = await launch(learner(1));
    await launch(learner(2));
    const a3 = await launch(learner(3));
    const f = await launch(fran);
    await rosterOnlyLearner(f.cohortId, 'a8');
    await rosterOnlyLearner(f.cohortId, 'a9');
    clock.offsetMs = 8 * DAY;
    // a3 acts now (a thread of their own), a1 is nudged today: three quiet (a1, a2, a3 before acting), two never launched
    const commons = await follow(a3, `${a3.base}/commons`);
    expect((await post(a3, `${commons}/threads`, { title: 'Back', body: 'I am back' })).status).to.equal(303);
    await sql`update posts set created_at = ${clock.now().toISOString()}::timestamptz`.execute(db());
    expect((await post(f, `${f.base}/console/nudges/${await membershipOf(f.cohortId, 'a1')}`, { message: 'How are you getting on?' })).status).to.equal(303);
    const dashboard = await get(f, `${f.base}/console/dashboard`);
    const listed = dashboard.doc.querySelectorAll('[data-test=quiet-learner]');
    const never = listed.filter((r) => r.querySelector('[data-test=never-launched]')).length;
    expect(listed.length, 'the dashboard lists a1, a2 and the two on the roster').to.equal(4);
    const items = await attention(f);
    expect(items.get('never-launched')?.[0]).to.equal(`${never} learners never opened Circlework`);
    // a1 was nudged today: the console leaves them out, the dashboard keeps them (marked)
    expect(items.get('quiet')?.[0]).to.equal(`${listed.length - never - 1} learner has gone quiet`);
    void a1;
  });

  it('shows a facilitator of another cohort of the same LMS none of ours, and ours none of theirs', async () => {
    const a1 = await launch(learner(1));
    const a2 = await launch(learner(2));
    const f = await launch(fran);
    await flagAPost(a1, a2);
    await rosterOnlyLearner(f.cohortId, 'a9');
    const m1 = await membershipOf(f.cohortId, 'a1');
    await failedGrade(f.cohortId, m1, new Date());
    await submittedPlanWithCheckInDue(f.cohortId, m1, isoDay(Date.now() - 21 * DAY));
    clock.offsetMs = 8 * DAY;
    expect([...(await attention(f)).keys()]).to.deep.equal(['flags', 'grades', 'never-launched', 'quiet', 'check-ins']);

    clock.offsetMs = 0; // nobody in the other cohort has gone quiet
    const otherCourse = { id: 'course-other', title: 'Other course' };
    const other = await launch({ ...fran, sub: 'olga', name: 'Olga Other' }, otherCourse);
    expect(await tenantOf(other.cohortId)).to.equal(await tenantOf(f.cohortId));
    await launch(learner(5), otherCourse);
    expect(await attention(other)).to.deep.equal(new Map());
    // their flag is theirs: ours still counts one flagged post
    await flagAPost(await launch(learner(6), otherCourse), await launch(learner(7), otherCourse));
    expect([...(await attention(other)).keys()]).to.deep.equal(['flags']);
    clock.offsetMs = 8 * DAY;
    expect((await attention(f)).get('flags')?.[0]).to.equal('1 post flagged by members');
    // and our console does not open for them
    expect((await get(other, `${f.base}/console`)).status).to.equal(401);
  });
});

// The programme view over real HTTP and PostgreSQL: only a tenant's programme lead (a launch with the
// LMS's Administrator role) opens it, and sees only their own tenant's cohorts, as counts and shares,
// withheld under the minimum size; the CSV says the same and is formula-injection safe.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { LtiHttpClient } from '../support/lti-platform-simulator.ts';
import { sql } from 'kysely';
import { waitFor } from '../support/wait.ts';
import { loadWorkshop } from '../../server/modules/workshop-files.ts';
import { cohortFigures } from '../../server/analytics/cohort-figures.ts';
import { listCohortsToSnapshot } from '../../models/programme.queries.ts';
import { PROGRAMME_SNAPSHOTS_QUEUE, refreshProgrammeSnapshots, registerProgrammeSnapshots } from '../../server/programme/programme-snapshots.ts';

const ADMINISTRATOR = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator';
const learner = (i: number): SimUser => ({ sub: `p${i}`, name: `Pat Learner ${i}`, email: `p${i}@example.org`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const ada: SimUser = { sub: 'ada', name: 'Ada Admin', roles: [ADMINISTRATOR, ROLES.instructor] };

describe('programme view', () => {
  const { env, clock, queues, launch, get, post, follow } = cohortSuite({ context: { id: 'course-prog-1', title: 'Leading Teams spring' }, queues: 1 });
  const workshop = loadWorkshop();
  /** One run of the programme-snapshots job, as the schedule would start it. */
  const refresh = () => refreshProgrammeSnapshots({ db: env.app.db, workshop, now: clock.now }, { minAgeMs: 0 });
  /** The cohorts with a change their snapshot has not seen (the job's next run computes them again, ten minutes apart at most). */
  const toSnapshot = async () => (await listCohortsToSnapshot(env.app.db, new Date(0), 1000, new Date(8.64e15))).map((c) => c.cohortId);
  const cells = (row: { querySelectorAll(s: string): Array<{ text: string }> }) => row.querySelectorAll('th, td').map((c) => c.text.trim());

  /** Six learners in the spring cohort, three in the summer one (too few), and the facilitator in both. */
  async function twoCohorts() {
    for (let i = 1; i <= 6; i++) await launch(learner(i));
    for (let i = 7; i <= 9; i++) await launch(learner(i), { id: 'course-prog-2', title: 'Leading Teams summer' });
    const f = await launch(fran);
    await refresh();
    return f;
  }

  it('refuses whoever is not a programme lead: no launch 401, a learner and a facilitator 403', async () => {
    const f = await twoCohorts();
    const l = await launch(learner(1));
    const nobody = { browser: new LtiHttpClient(), base: '', cohortId: '' };
    for (const path of ['/programme', '/programme/programme.csv']) {
      expect((await get(nobody, `${env.app.url}${path}`)).status, path).to.equal(401);
      expect((await get(l, `${env.app.url}${path}`)).status, path).to.equal(403);
      const r = await get(f, `${env.app.url}${path}`);
      expect(r.status, path).to.equal(403);
      expect(r.body, path).not.to.contain('Leading Teams summer');
    }
    expect((await get(f, `${f.base}/console`)).doc.querySelector('[data-test=programme-link]'), 'no link on a facilitator’s console').to.equal(null);
  });

  it('shows the lead every cohort of their tenant, as counts, with shares under five learners withheld, and no names', async () => {
    await twoCohorts();
    const lead = await launch(ada);
    expect((await get(lead, `${lead.base}/console`)).doc.querySelector('[data-test=programme-link] a')?.getAttribute('href')).to.equal('/programme');
    const page = await get(lead, `${env.app.url}/programme`);
    expect(page.status, page.body.slice(0, 300)).to.equal(200);
    const rows = page.doc.querySelectorAll('[data-test=programme-cohort]').map(cells);
    const spring = rows.find((r) => r[0] === 'Leading Teams spring')!;
    const summer = rows.find((r) => r[0] === 'Leading Teams summer')!;
    expect(spring[3], 'learners').to.equal('6');
    expect(spring[4], 'completed').to.equal('0 %');
    expect(summer[3], 'learners').to.equal('3');
    expect(summer.slice(4, 12)).to.deep.equal(Array(8).fill('too few to show'));
    expect(page.body).not.to.contain('Pat Learner');
    expect(page.body).not.to.contain('Fran Facilitator');
  });

  it('shows a lead only their own tenant’s cohorts, on the page and in the CSV', async () => {
    await twoCohorts();
    const sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
    try {
      const lms2 = await connectPlatform(env.app, sim2);
      for (let i = 1; i <= 5; i++) await launch(learner(i), { id: 'course-other', title: 'Other tenant’s cohort' }, lms2);
      await refresh();
      const ours = await launch(ada);
      const theirs = await launch({ ...ada, sub: 'ada-2' }, { id: 'course-other', title: 'Other tenant’s cohort' }, lms2);
      const titles = async (m: typeof ours) => (await get(m, `${env.app.url}/programme`)).doc.querySelectorAll('[data-test=programme-cohort] th').map((t) => t.text.trim()).sort();
      expect(await titles(ours)).to.deep.equal(['Leading Teams spring', 'Leading Teams summer']);
      expect(await titles(theirs)).to.deep.equal(['Other tenant’s cohort']);
      const csv = (await get(theirs, `${env.app.url}/programme/programme.csv`)).body;
      expect(csv).to.contain('Other tenant’s cohort');
      expect(csv).not.to.contain('Leading Teams');
    } finally {
      await sim2.close();
    }
  });

  it('exports the comparison as CSV with the table’s columns, a formula-like title made inert', async () => {
    for (let i = 1; i <= 5; i++) await launch(learner(i), { id: 'course-formula', title: '=HYPERLINK("http://evil.example")' });
    const lead = await launch(ada, { id: 'course-formula', title: '=HYPERLINK("http://evil.example")' });
    await refresh();
    const r = await lead.browser.request(`${env.app.url}/programme/programme.csv`);
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.match(/^text\/csv/);
    const [header, row] = r.body.split('\r\n');
    expect(header).to.match(/^cohort,first module opens,last module opens,learners,completed every module,took part,density \(start\)/);
    expect(row).to.match(/^"'=HYPERLINK/);
    expect(row).to.contain(',5,0 %,0 %,');
  });

  it('reads only the kept snapshots: a cohort not computed yet says so, a new post shows after the job’s next run, and the page says as of when', async () => {
    const ls = [];
    for (let i = 1; i <= 5; i++) ls.push(await launch(learner(i)));
    const lead = await launch(ada);
    const row = async () => (await get(lead, `${env.app.url}/programme`)).doc.querySelectorAll('[data-test=programme-cohort]').map(cells)[0]!;
    expect((await row()).slice(1, 4)).to.deep.equal(['being computed', 'being computed', 'being computed']);
    expect(await refresh()).to.deep.equal({ refreshed: 1, failed: 0 });
    expect((await row()).slice(3, 6)).to.deep.equal(['5', '0 %', '0 %']);
    const page = await get(lead, `${env.app.url}/programme`);
    const { refreshedAt } = await env.app.db.selectFrom('programmeCohortSnapshots').select('refreshedAt').executeTakeFirstOrThrow();
    expect(page.doc.querySelector('[data-test=programme-refreshed] time')?.getAttribute('datetime')).to.equal(refreshedAt.toISOString());
    expect(await toSnapshot(), 'nothing to compute again').to.deep.equal([]);

    const commons = await follow(ls[0]!, `${ls[0]!.base}/commons`);
    expect((await post(ls[0]!, `${commons}/threads`, { title: 'Hello', body: 'Hello everyone' })).status).to.equal(303);
    expect(await toSnapshot(), 'the post is a change the snapshot has not seen').to.deep.equal([lead.cohortId]);
    expect((await row())[5], 'the page still reads the kept snapshot').to.equal('0 %');
    const job = () => refreshProgrammeSnapshots({ db: env.app.db, workshop, now: clock.now });
    expect(await job(), 'a busy cohort waits ten minutes').to.deep.equal({ refreshed: 0, failed: 0 });
    clock.offsetMs = 10 * 60_000;
    expect(await job()).to.deep.equal({ refreshed: 1, failed: 0 });
    clock.offsetMs = 0;
    expect((await row())[5], 'one of five took part').to.equal('20 %');
    expect(await toSnapshot()).to.deep.equal([]);
  });

  it('logs action plans, check-ins, manager conversations and schedules as changes of their cohort', async () => {
    const l = await launch(learner(1));
    await launch(fran);
    await refresh();
    const db = env.app.db;
    const { tenantId, id: membershipId, cohortId } = await db.selectFrom('memberships as m').innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
      .select(['m.tenantId', 'm.id', 'm.cohortId']).where('p.sub', '=', 'p1').where('m.cohortId', '=', l.cohortId).executeTakeFirstOrThrow();
    const step = async (what: string, write: () => Promise<unknown>) => {
      await write();
      expect(await toSnapshot(), what).to.deep.equal([cohortId]);
      await refresh();
      expect(await toSnapshot(), `${what}, once computed again`).to.deep.equal([]);
    };
    let planId = '';
    await step('a plan submitted', async () => {
      planId = (await db.insertInto('actionPlans').values({ tenantId, cohortId, membershipId, visibility: 'private', status: 'submitted', submittedAt: new Date(),
        goals: JSON.stringify([{ title: 'Share more', actions: ['A weekly note'], dueOn: '2027-01-31', success: 'Notes out', support: 'Time' }]) }).returning('id').executeTakeFirstOrThrow()).id;
    });
    await step('a check-in recorded', () => db.insertInto('checkIns').values({ tenantId, planId, seq: 1, entries: JSON.stringify([{ goal: 0, action: 0, text: 'A weekly note', status: 'done', note: '' }]) }).execute());
    const invite = await db.insertInto('managerInvites').values({ tenantId, planId, email: 'boss@example.org' }).returning('id').executeTakeFirstOrThrow();
    await step('a manager’s conversation logged', () => db.insertInto('actionPlanComments').values({ tenantId, planId, managerInviteId: invite.id, kind: 'conversation', body: 'We talked' }).execute());
    await step('the check-in schedule set', () => db.insertInto('actionPlanSchedules').values({ tenantId, cohortId, endsOn: '2026-01-05' }).execute());
    await step('a module’s date set', () => db.insertInto('moduleSchedules').values({ tenantId, cohortId, moduleId: 2, opensAt: new Date('2025-12-01T00:00:00Z') }).execute());
    const figures = (await db.selectFrom('programmeCohortSnapshots').select('figures').where('cohortId', '=', cohortId).executeTakeFirstOrThrow()).figures as { plans: unknown };
    expect(figures.plans).to.deep.equal({ submitted: 1, withManager: 1, withConversation: 1, checkIns: [
      { week: 2, dueOn: '2026-01-19', recorded: 1 }, { week: 4, dueOn: '2026-02-02', recorded: 0 }, { week: 8, dueOn: '2026-03-02', recorded: 0 }] });
  });

  it('keeps the changes its snapshot has not seen when the facilitator’s figures are kept', async () => {
    const ls = [];
    for (let i = 1; i <= 5; i++) ls.push(await launch(learner(i)));
    await refresh();
    const commons = await follow(ls[0]!, `${ls[0]!.base}/commons`);
    expect((await post(ls[0]!, `${commons}/threads`, { title: 'Hello', body: 'Hello everyone' })).status).to.equal(303);
    const { tenantId } = await env.app.db.selectFrom('cohorts').select('tenantId').where('id', '=', ls[0]!.cohortId).executeTakeFirstOrThrow();
    await cohortFigures(env.app.db, tenantId, ls[0]!.cohortId, clock.now(), ['social']);
    expect(await toSnapshot(), 'the post is still a change for the programme view').to.deep.equal([ls[0]!.cohortId]);
    await refresh();
    const left = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM cohort_figure_changes`.execute(env.app.db)).rows[0]!.n;
    expect(left, 'seen by both, the change is dropped').to.equal(0);
  });

  it('runs as a pg-boss job', async () => {
    for (let i = 1; i <= 5; i++) await launch(learner(i));
    await registerProgrammeSnapshots(queues[0]!, { db: env.app.db, workshop, now: clock.now }, { pollingIntervalSeconds: 0.5 });
    const id = (await queues[0]!.boss.send(PROGRAMME_SNAPSHOTS_QUEUE, { all: true }))!;
    const job = await waitFor('the job to run', async () => {
      const j = await queues[0]!.boss.getJobById(PROGRAMME_SNAPSHOTS_QUEUE, id);
      return j?.state === 'completed' || j?.state === 'failed' ? j : undefined;
    }, 20_000);
    expect({ state: job.state, output: job.output }).to.deep.equal({ state: 'completed', output: { refreshed: 1, failed: 0 } });
    expect(await env.app.db.selectFrom('programmeCohortSnapshots').select('cohortId').execute()).to.have.length(1);
  });

  it('shows the people network across cohorts as shares: learners findable by every cohort, and also in another cohort', async () => {
    for (let i = 1; i <= 5; i++) await launch(learner(i));
    await launch(learner(3), { id: 'course-prog-2', title: 'Leading Teams summer' });
    const lead = await launch(ada);
    const persons = await env.app.db.selectFrom('persons').select(['id', 'tenantId', 'sub']).where('sub', 'in', ['p1', 'p2', 'p4']).execute();
    for (const p of persons) await env.app.db.insertInto('profiles').values({ tenantId: p.tenantId, personId: p.id, skills: 'Coaching', searchAllCohorts: p.sub !== 'p4' }).execute();
    await refresh();
    const page = await get(lead, `${env.app.url}/programme`);
    const header = page.doc.querySelectorAll('[data-test=programme-table] thead th').map((t) => t.text.trim());
    const spring = page.doc.querySelectorAll('[data-test=programme-cohort]').map(cells).find((r) => r[0] === 'Leading Teams spring')!;
    expect(spring[header.indexOf('findable by every cohort')]).to.equal('40 %');
    expect(spring[header.indexOf('also in another cohort')]).to.equal('20 %');
    const summer = page.doc.querySelectorAll('[data-test=programme-cohort]').map(cells).find((r) => r[0] === 'Leading Teams summer')!;
    expect(summer[header.indexOf('findable by every cohort')], 'one learner: too few').to.equal('too few to show');
  });

  describe('relationship goals and pictures', () => {
    const form = async (m: Awaited<ReturnType<typeof launch>>, fields: Record<string, string>, csrf = true) => {
      const page = await get(m, `${env.app.url}/programme`);
      const token = page.doc.querySelector('#goal-form input[name=_csrf]')?.getAttribute('value') ?? '';
      return m.browser.request(`${env.app.url}/programme/goals`, { method: 'POST', form: { ...fields, ...(csrf ? { _csrf: token } : {}) } });
    };

    it('lets the lead set goals, shows each cohort met, not yet or too few, and removes them', async () => {
      await twoCohorts();
      const lead = await launch(ada);
      expect((await form(lead, { kind: 'cross-group-ties', threshold: '70', at: '6' })).status).to.equal(303);
      expect((await form(lead, { kind: 'isolated-share', threshold: '100', at: '1' })).status).to.equal(303);
      const page = await get(lead, `${env.app.url}/programme`);
      expect(page.doc.querySelectorAll('[data-test=goal]').map((g) => g.text.trim().split('\n')[0]!.trim())).to.deep.equal([
        'Learners with a tie outside their group by module 6: at least 70 %', 'Learners with no tie at all by module 1: at most 100 %']);
      const rows = page.doc.querySelectorAll('[data-test=goal-cohort]').map(cells);
      expect(rows.find((r) => r[0] === 'Leading Teams spring')!.slice(1)).to.deep.equal(['not yet (0 %)', 'met (100 %)']);
      expect(rows.find((r) => r[0] === 'Leading Teams summer')!.slice(1)).to.deep.equal(['too few to show', 'too few to show']);
      const csv = (await lead.browser.request(`${env.app.url}/programme/programme.csv`)).body;
      expect(csv.split('\r\n')[0]).to.match(/,goal: Learners with a tie outside their group by module 6: at least 70 %,goal: Learners with no tie/);
      const goalId = (await env.app.db.selectFrom('relationshipGoals').select('id').where('kind', '=', 'isolated-share').executeTakeFirstOrThrow()).id;
      const token = page.doc.querySelector('[data-test=goal] input[name=_csrf]')!.getAttribute('value')!;
      expect((await lead.browser.request(`${env.app.url}/programme/goals/${goalId}/remove`, { method: 'POST', form: { _csrf: token } })).status).to.equal(303);
      expect((await get(lead, `${env.app.url}/programme`)).doc.querySelectorAll('[data-test=goal]').length).to.equal(1);
    });

    it('answers a bad goal with a clear 400, the same goal twice with 409; refuses it without CSRF and from a non-lead', async () => {
      const f = await twoCohorts();
      const lead = await launch(ada);
      for (const [fields, message] of [
        [{ kind: 'friends', threshold: '50', at: '2' }, 'Choose one of the kinds of goal.'],
        [{ kind: 'check-in-share', threshold: '150', at: '4' }, 'The share is a whole percent from 0 to 100.'],
        [{ kind: 'check-in-share', threshold: '70', at: '3' }, 'Choose the check-in week: 2, 4, 8.'],
        [{ kind: 'cross-group-ties', threshold: '70', at: '10' }, 'Choose a module from 1 to 9.'],
      ] as const) {
        const r = await form(lead, fields);
        expect(r.status, JSON.stringify(fields)).to.equal(400);
        expect(parse(r.body).querySelector('[data-test=goal-error]')?.text).to.equal(message);
      }
      expect((await form(lead, { kind: 'check-in-share', threshold: '70', at: '4' })).status).to.equal(303);
      expect((await form(lead, { kind: 'check-in-share', threshold: '60', at: '4' })).status).to.equal(409);
      expect((await form(lead, { kind: 'check-in-share', threshold: '70', at: '8' }, false)).status, 'no CSRF token').to.equal(403);
      const csrf = (await get(f, `${f.base}/console`)).doc.querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';
      expect((await f.browser.request(`${env.app.url}/programme/goals`, { method: 'POST', form: { kind: 'check-in-share', threshold: '70', at: '2', _csrf: csrf } })).status, 'a facilitator').to.equal(403);
      expect((await env.app.db.selectFrom('relationshipGoals').select(['thresholdPercent', 'at']).execute())).to.deep.equal([{ thresholdPercent: 70, at: 4 }]);
    });

    it('draws each figure across cohorts as a small SVG chart with a table beside it', async () => {
      for (const [k, n] of [[1, 5], [2, 6], [3, 3], [4, 7]] as const) {
        for (let i = 1; i <= n; i++) await launch(learner(k * 10 + i), { id: `course-pic-${k}`, title: `Cohort ${k}` });
      }
      const lead = await launch(ada, { id: 'course-pic-1', title: 'Cohort 1' });
      await refresh();
      const page = await get(lead, `${env.app.url}/programme`);
      const charts = page.doc.querySelectorAll('[data-test=programme-chart]');
      expect(charts.map((c) => c.querySelector('figcaption')!.text)).to.include.members(['Completed every module', 'Took part', 'Plans submitted']);
      const svg = charts[0]!.querySelector('svg')!;
      expect(svg.getAttribute('viewBox')).to.match(/^0 0 \d+ \d+$/);
      expect(svg.getAttribute('width')).to.equal('100%');
      expect(svg.querySelector('title')!.text).to.equal('Completed every module, cohort by cohort');
      const table = charts[0]!.querySelectorAll('[data-test=programme-chart-table] tbody tr').map(cells);
      expect(table).to.deep.equal([['1', 'Cohort 1', '0 %'], ['2', 'Cohort 2', '0 %'], ['3', 'Cohort 3', 'not shown'], ['4', 'Cohort 4', '0 %']]);
      expect(page.body).not.to.contain('Pat Learner');
    });
  });
});

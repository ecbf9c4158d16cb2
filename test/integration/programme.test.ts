// The programme view over real HTTP and PostgreSQL: only a tenant's programme lead (a launch with the
// LMS's Administrator role) opens it, and sees only their own tenant's cohorts, as counts and shares,
// withheld under the minimum size; the CSV says the same and is formula-injection safe.
import { expect } from 'chai';
import { LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { LtiHttpClient } from '../support/lti-platform-simulator.ts';

const ADMINISTRATOR = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator';
const learner = (i: number): SimUser => ({ sub: `p${i}`, name: `Pat Learner ${i}`, email: `p${i}@example.org`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const ada: SimUser = { sub: 'ada', name: 'Ada Admin', roles: [ADMINISTRATOR, ROLES.instructor] };

describe('programme view', () => {
  const { env, launch, get } = cohortSuite({ context: { id: 'course-prog-1', title: 'Leading Teams spring' } });
  const cells = (row: { querySelectorAll(s: string): Array<{ text: string }> }) => row.querySelectorAll('th, td').map((c) => c.text.trim());

  /** Six learners in the spring cohort, three in the summer one (too few), and the facilitator in both. */
  async function twoCohorts() {
    for (let i = 1; i <= 6; i++) await launch(learner(i));
    for (let i = 7; i <= 9; i++) await launch(learner(i), { id: 'course-prog-2', title: 'Leading Teams summer' });
    return launch(fran);
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
    const r = await lead.browser.request(`${env.app.url}/programme/programme.csv`);
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.match(/^text\/csv/);
    const [header, row] = r.body.split('\r\n');
    expect(header).to.match(/^cohort,first module opens,last module opens,learners,completed every module,took part,density \(start\)/);
    expect(row).to.match(/^"'=HYPERLINK/);
    expect(row).to.contain(',5,0 %,0 %,');
  });
});

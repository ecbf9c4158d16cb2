// The programme view through the catalogs: the page before figures exist, with figures, charts and
// goals, a refused goal, in the pseudo-locale en-XA shows no string outside the catalogs (cohort
// titles from the LMS are marked translate="no"); its CSV header follows the reader's language.
import { expect } from 'chai';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { pseudoLocalePages } from '../support/i18n-pages.ts';
import { refreshProgrammeSnapshots } from '../../server/programme/programme-snapshots.ts';
import { loadWorkshop } from '../../server/modules/workshop-files.ts';

const ADMINISTRATOR = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator';
const ada = { sub: 'ada', name: 'Ada Admin', roles: [ADMINISTRATOR, ROLES.instructor] };
const learner = (i: number) => ({ sub: `p${i}`, name: `Pat Learner ${i}`, roles: [ROLES.learner] });

describe('the programme view in every language', () => {
  const s = cohortSuite({ context: { id: 'course-i18n-prog', title: 'Leading Teams spring' }, queues: 1 });
  const { env, clock } = s;
  const { expectClean } = pseudoLocalePages(s);
  const workshop = loadWorkshop();
  const page = async (m: Awaited<ReturnType<typeof s.launchIn>>, path = '/programme') => s.get(m, `${env.app.url}${path}`);

  it('en-XA: before figures, with figures, charts and goals, and a refused goal', async () => {
    for (let i = 1; i <= 6; i++) await s.launchIn(learner(i), 'en-XA');
    for (let i = 7; i <= 12; i++) await s.launchIn(learner(i), 'en-XA', { id: 'course-i18n-prog-2', title: 'Leading Teams summer' });
    const lead = await s.launchIn(ada, 'en-XA');
    const before = await page(lead);
    expect(before.status).to.equal(200);
    expectClean(before.body, 'before figures');
    await refreshProgrammeSnapshots({ db: env.app.db, workshop, now: clock.now }, { minAgeMs: 0 });
    expectClean((await page(lead)).body, 'with figures');
    const refused = await s.post(lead, `${env.app.url}/programme/goals`, { kind: 'cross-group-ties', threshold: '150', at: '3' });
    expect(refused.status).to.equal(400);
    expectClean(refused.body, 'a refused goal');
    expect((await s.post(lead, `${env.app.url}/programme/goals`, { kind: 'cross-group-ties', threshold: '70', at: '6' })).status).to.equal(303);
    expect((await s.post(lead, `${env.app.url}/programme/goals`, { kind: 'check-in-share', threshold: '50', at: '4' })).status).to.equal(303);
    expectClean((await page(lead, '/programme?goal=set')).body, 'with goals');
  });

  it('fr: the page and its CSV in French', async () => {
    const lead = await s.launchIn({ ...ada, sub: 'ada-fr' }, 'fr-FR');
    const fr = await page(lead);
    expect(fr.body).to.match(/<html lang="fr"/);
    expect(fr.doc.querySelector('h2')?.text).to.equal('D’une cohorte à l’autre');
    const csv = (await page(lead, '/programme/programme.csv')).body;
    expect(csv.split('\r\n')[0]).to.match(/^cohorte,ouverture du premier module,/);
  });
});

// A facilitator sets the language of the cohort's workshop (the default edition as written in that
// language), after a confirmation; learners' answers stay as written. Only the cohort's own
// facilitators may, and not for a cohort pinned to an edition version.
import { expect } from 'chai';
import { sql } from 'kysely';
import { cohortSuite } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';

const course = { id: 'c-cohort-lang', title: 'Course' };
const fay = { sub: 'fay', name: 'Fay Facilitator', roles: [ROLES.instructor] };
const ada = { sub: 'ada', name: 'Ada Learner', roles: [ROLES.learner] };

describe('the cohort’s language', () => {
  const { env, launch, get, post } = cohortSuite({ context: course });
  const languageOf = async (cohortId: string) => (await sql<{ language: string }>`select language from cohorts where id = ${cohortId}`.execute(env.app.db)).rows[0]!.language;
  const moduleTitle = async (m: Awaited<ReturnType<typeof launch>>, n: number) => (await get(m, `${m.base}/modules/${n}`)).doc.querySelector('[data-test=module-page] h1 span')?.text;

  it('changes after a confirmation, shows the modules in that language, and keeps what learners wrote', async () => {
    const facilitator = await launch(fay);
    const learner = await launch(ada);
    const wrote = await post(learner, `${learner.base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: 'Ask for help early.' });
    expect(wrote.status).to.equal(303);
    const page = await get(facilitator, `${facilitator.base}/console/edition`);
    expect(page.doc.querySelector('[data-test=cohort-language-current]')?.text).to.contain('English');
    const confirm = await post(facilitator, `${facilitator.base}/console/language`, { language: 'es' });
    expect(confirm.status).to.equal(200);
    expect(confirm.doc.querySelector('[data-test=cohort-language-confirm]')).to.not.equal(null);
    expect(await languageOf(facilitator.cohortId)).to.equal('en');
    const done = await post(facilitator, `${facilitator.base}/console/language`, { language: 'es', confirmed: 'yes' });
    expect(done.status).to.equal(303);
    expect(await languageOf(facilitator.cohortId)).to.equal('es');
    expect(await moduleTitle(learner, 6)).to.equal('Tu red');
    expect((await get(learner, `${learner.base}/modules/1`)).body).to.contain('Ask for help early.');
  });

  it('refuses a language we do not write the workshop in (400), a learner (403) and another cohort’s facilitator (401)', async () => {
    const facilitator = await launch(fay);
    const learner = await launch(ada);
    expect((await post(facilitator, `${facilitator.base}/console/language`, { language: 'xx', confirmed: 'yes' })).status).to.equal(400);
    expect((await post(learner, `${learner.base}/console/language`, { language: 'fr', confirmed: 'yes' })).status).to.equal(403);
    // A facilitator of another course, in their own session: no launch into this cohort.
    const fresh = await launch(fay, { id: 'c-third', title: 'Third' });
    const token = (await get(fresh, `${fresh.base}/console/edition`)).doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const cross = await fresh.browser.request(`${facilitator.base}/console/language`, { method: 'POST', form: { language: 'fr', confirmed: 'yes', _csrf: token } });
    expect(cross.status).to.equal(401);
    expect(await languageOf(facilitator.cohortId)).to.equal('en');
  });

  it('says a cohort pinned to an edition version runs that edition’s language, and refuses the change (409)', async () => {
    const facilitator = await launch(fay);
    const tenantId = (await sql<{ tenantId: string }>`select tenant_id as "tenantId" from cohorts where id = ${facilitator.cohortId}`.execute(env.app.db)).rows[0]!.tenantId;
    const edition = (await sql<{ id: string }>`insert into editions (tenant_id, name) values (${tenantId}, 'Managers') returning id`.execute(env.app.db)).rows[0]!;
    const version = (await sql<{ id: string }>`insert into edition_versions (tenant_id, edition_id, number, status, content, published_at)
      select ${tenantId}, ${edition.id}, 1, 'published', '{}'::jsonb, now() returning id`.execute(env.app.db)).rows[0]!;
    await sql`update cohorts set edition_version_id = ${version.id} where id = ${facilitator.cohortId}`.execute(env.app.db);
    expect((await get(facilitator, `${facilitator.base}/console/edition`)).doc.querySelector('[data-test=cohort-language-pinned]')).to.not.equal(null);
    expect((await post(facilitator, `${facilitator.base}/console/language`, { language: 'fr', confirmed: 'yes' })).status).to.equal(409);
    expect(await languageOf(facilitator.cohortId)).to.equal('en');
  });
});

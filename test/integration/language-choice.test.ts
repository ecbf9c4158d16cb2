// A person chooses the language of their pages on their profile: a shipped language, or "as my
// learning platform". The choice beats the LMS's locale at the next page and at later launches, is
// theirs alone (no other person's, no other deployment's), and needs the form's CSRF token.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { sql } from 'kysely';
import { cohortSuite, cohortMembers, type Member } from '../support/cohort-members.ts';
import { LtiHttpClient } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';

const course = { id: 'c-lang-choice', title: 'Course' };
const ada = { sub: 'ada', name: 'Ada Learner', roles: [ROLES.learner] };
const ben = { sub: 'ben', name: 'Ben Learner', roles: [ROLES.learner] };

describe('language choice on the profile', () => {
  const { env } = cohortSuite({ context: course });
  const m = cohortMembers(() => env, course);

  const launchIn = async (user: typeof ada, locale: string, browser?: LtiHttpClient): Promise<Member & { lang: string | undefined }> => {
    const member = await m.launchIn(user, locale, course, browser);
    return { ...member, lang: await langOf(member) };
  };
  async function langOf(member: Member, path = ''): Promise<string | undefined> {
    return (await m.get(member, `${member.base}${path}`)).doc.querySelector('html')?.getAttribute('lang');
  }
  const localeOf = async (sub: string) => (await sql<{ locale: string | null }>`select locale from persons where sub = ${sub}`.execute(env.app.db)).rows.map((r) => r.locale);

  it('offers the languages with the LMS’s one as the default, and switches the next page to the chosen one', async () => {
    const a = await launchIn(ada, 'es');
    const profile = await m.get(a, `${a.base}/profile`);
    const select = profile.doc.querySelector('[data-test=language-choice] select#locale')!;
    expect(select.querySelector('option[selected]')?.getAttribute('value')).to.equal('');
    expect(select.querySelector('option[value=""]')?.text).to.contain('Español');
    expect(select.querySelectorAll('option').map((o) => o.getAttribute('value'))).to.include.members(['', 'en', 'fr', 'es']);
    const saved = await m.post(a, `${a.base}/profile/language`, { locale: 'fr' });
    expect(saved.status).to.equal(303);
    expect(await localeOf('ada')).to.deep.equal(['fr']);
    expect(await langOf(a)).to.equal('fr');
    expect((await m.get(a, `${a.base}/profile?saved=language`)).doc.querySelector('[data-test=language-saved]')?.text).to.equal('Langue enregistrée.');
  });

  it('keeps the choice over a later launch’s locale, until the person follows the LMS again', async () => {
    const a = await launchIn(ada, 'en');
    await m.post(a, `${a.base}/profile/language`, { locale: 'fr' });
    const again = await launchIn(ada, 'es', a.browser);
    expect(again.lang).to.equal('fr');
    await m.post(again, `${again.base}/profile/language`, { locale: '' });
    expect(await localeOf('ada')).to.deep.equal([null]);
    expect(await langOf(again)).to.equal('es');
  });

  it('refuses a language we do not ship with a 400 and changes nothing', async () => {
    const a = await launchIn(ada, 'en');
    const res = await m.post(a, `${a.base}/profile/language`, { locale: 'xx' });
    expect(res.status).to.equal(400);
    expect(res.body).to.contain('Choose one of the languages in the list.');
    expect(await localeOf('ada')).to.deep.equal([null]);
  });

  it('refuses a post without the form’s CSRF token, and changes nothing', async () => {
    const a = await launchIn(ada, 'en');
    const res = await a.browser.request(`${a.base}/profile/language`, { method: 'POST', form: { locale: 'fr' } });
    expect(res.status).to.equal(403);
    expect(await localeOf('ada')).to.deep.equal([null]);
  });

  it('changes only the chooser’s own language: not a groupmate’s, nor the same LMS user’s in another deployment', async () => {
    const other = await env.app.db.insertInto('tenants').values({ platformId: (await env.app.db.selectFrom('tenants').select('platformId').executeTakeFirstOrThrow()).platformId, deploymentId: 'other-deployment', status: 'active' }).returning('id').executeTakeFirstOrThrow();
    await env.app.db.insertInto('persons').values({ tenantId: other.id, sub: 'ada', name: 'Ada elsewhere' }).execute();
    const a = await launchIn(ada, 'en');
    const b = await launchIn(ben, 'en');
    await m.post(a, `${a.base}/profile/language`, { locale: 'es' });
    expect(await langOf(b)).to.equal('en');
    expect((await sql<{ sub: string; tenant: string; locale: string | null }>`select sub, tenant_id as tenant, locale from persons order by sub, locale nulls last`.execute(env.app.db)).rows.map((r) => [r.sub, r.tenant === other.id, r.locale])).to.deep.equal([['ada', false, 'es'], ['ada', true, null], ['ben', false, null]]);
  });
});

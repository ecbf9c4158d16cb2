// The profile pages in the pseudo-locale en-XA show no string outside the catalogs (people's own words
// and names excepted), and in French and Spanish speak those languages.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { LtiHttpClient } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { untranslatedText } from '../support/untranslated.ts';

const course = { id: 'c-i18n-profiles', title: 'Course' };
const ada = { sub: 'ada', name: 'Ada Learner', roles: [ROLES.learner] };
const ben = { sub: 'ben', name: 'Ben Learner', roles: [ROLES.learner] };

describe('profile pages in every language', () => {
  const { env, get, post, launchIn } = cohortSuite({ context: course });

  it('en-XA: own profile (empty, saved, refused), the finder (hint, results, none), a member’s profile, the photo confirmation', async () => {
    const a = await launchIn(ada, 'en-XA');
    const b = await launchIn(ben, 'en-XA');
    const pages: Array<[string, string]> = [];
    pages.push(['own profile, empty', (await get(a, `${a.base}/profile`)).body]);
    pages.push(['member profile, empty', (await get(a, `${b.base.replace(b.cohortId, a.cohortId)}/people/${(await env.app.db.selectFrom('persons').select('id').where('sub', '=', 'ben').executeTakeFirstOrThrow()).id}`)).body]);
    const refused = await post(a, `${a.base}/profile`, { skills: 'x'.repeat(1001), interests: '', canHelpWith: '' });
    expect(refused.status).to.equal(400);
    pages.push(['own profile, refused', refused.body]);
    await post(b, `${b.base}/profile`, { skills: 'negotiation', interests: 'coaching', canHelpWith: 'spreadsheets' });
    pages.push(['own profile, saved', (await get(b, `${b.base}/profile?saved=profile`)).body]);
    pages.push(['finder, hint', (await get(a, `${a.base}/experts`)).body]);
    pages.push(['finder, results', (await get(a, `${a.base}/experts?q=negotiation`)).body]);
    pages.push(['finder, none', (await get(a, `${a.base}/experts?q=juggling`)).body]);
    pages.push(['finder, refused', (await get(a, `${a.base}/experts?q=${'y'.repeat(300)}`)).body]);
    pages.push(['photo confirmation', (await post(a, `${a.base}/profile/photo/remove`, {})).body]);
    pages.push(['erase', (await get(a, `${a.base}/profile/erase`)).body]);
    const notErased = await post(a, `${a.base}/profile/erase`, { phrase: 'nope' });
    expect(notErased.status).to.equal(400);
    pages.push(['erase, refused', notErased.body]);
    const found = pages.flatMap(([name, html]) => untranslatedText(html).map((t) => `${name}: ${t}`));
    expect(found.join('\n')).to.equal('');
  });

  it('fr and es: the profile speaks the launch’s language', async () => {
    const fr = await launchIn(ada, 'fr-FR');
    const page = parse((await get(fr, `${fr.base}/profile`)).body);
    expect(page.querySelector('html')?.getAttribute('lang')).to.equal('fr');
    expect(page.querySelector('h1')?.text).to.equal('Votre profil');
    // The confirmation phrase is typed in the page's language.
    const erase = parse((await get(fr, `${fr.base}/profile/erase`)).body);
    expect(erase.querySelector('label[for=phrase]')?.text).to.contain('effacer mes données');
    const erased = await post(fr, `${fr.base}/profile/erase`, { understood: 'yes', phrase: 'Effacer mes données' });
    expect(erased.status).to.equal(200);
    expect(parse(erased.body).querySelector('h1')?.text).to.equal('Vos données ont été effacées');
    const es = await launchIn(ben, 'es-ES');
    expect(parse((await get(es, `${es.base}/experts`)).body).querySelector('h1')?.text).to.equal('Buscar a alguien experto');
  });
});

// The groups pages (the facilitator's preview and groups, a group's norms, the page before groups
// exist) in the pseudo-locale en-XA show no string outside the catalogs, and speak Spanish in es.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { LtiHttpClient } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { untranslatedText } from '../support/untranslated.ts';

const course = { id: 'c-i18n-groups', title: 'Course' };
const fay = { sub: 'fay', name: 'Fay Facilitator', roles: [ROLES.instructor] };
const learner = (n: number) => ({ sub: `l${n}`, name: `Learner ${n}`, roles: [ROLES.learner] });

describe('groups pages in every language', () => {
  const { get, post, formGroups, launchIn } = cohortSuite({ context: course });

  it('en-XA: before groups, the preview, the groups formed, a group’s norms (empty, saved, refused)', async () => {
    const facilitator = await launchIn(fay, 'en-XA');
    const learners = [];
    for (let n = 1; n <= 4; n++) learners.push(await launchIn(learner(n), 'en-XA'));
    const pages: Array<[string, string]> = [];
    pages.push(['no group yet', (await get(learners[0]!, `${learners[0]!.base}/modules/1/space`)).body]);
    pages.push(['preview', (await get(facilitator, `${facilitator.base}/console/groups`)).body]);
    const groups = await formGroups(facilitator);
    pages.push(['groups', (await get(facilitator, `${facilitator.base}/console/groups`)).body]);
    const groupId = groups.get('l1')!;
    const normsUrl = `${learners[0]!.base}/groups/${groupId}/norms`;
    pages.push(['norms, empty', (await get(learners[0]!, normsUrl)).body]);
    const version = parse((await get(learners[0]!, normsUrl)).body).querySelector('input[name=baseVersion]')!.getAttribute('value')!;
    expect((await post(learners[0]!, normsUrl, { norms: 'We reply within two days', baseVersion: version })).status).to.equal(303);
    pages.push(['norms, saved', (await get(learners[0]!, `${normsUrl}?saved=1`)).body]);
    const refused = await post(learners[0]!, normsUrl, { norms: Array.from({ length: 20 }, (_, i) => `norm ${i}`).join('\n'), baseVersion: '1' });
    expect(refused.status).to.be.oneOf([400, 409]);
    pages.push(['norms, refused', refused.body]);
    const found = pages.flatMap(([name, html]) => untranslatedText(html).map((t) => `${name}: ${t}`));
    expect(found.join('\n')).to.equal('');
  });

  it('es: the facilitator’s groups page in Spanish', async () => {
    const facilitator = await launchIn(fay, 'es-ES');
    const page = parse((await get(facilitator, `${facilitator.base}/console/groups`)).body);
    expect(page.querySelector('h1')?.text).to.equal('Grupos pequeños');
  });

  it('names new groups in the cohort’s language, the same for every member whatever their own language', async () => {
    const french = { id: 'c-i18n-groups-fr', title: 'Cours' };
    const facilitator = await launchIn({ ...fay, sub: 'fay-fr' }, 'fr-FR', french);
    for (let n = 1; n <= 3; n++) await launchIn(learner(10 + n), n === 1 ? 'en-GB' : 'fr-FR', french);
    const preview = parse((await get(facilitator, `${facilitator.base}/console/groups`)).body);
    expect(preview.querySelector('[data-test=preview-group] h3')?.text).to.equal('Groupe 1');
    const groups = await formGroups(facilitator);
    const english = await launchIn(learner(11), 'en-GB', french);
    const space = await get(english, `${english.base}/groups/${groups.get('l11')}/norms`);
    expect(space.body).to.contain('Groupe 1');
  });
});

// The notifications page in the pseudo-locale en-XA shows no string outside the catalogs (names and
// thread titles excepted), whatever kinds it lists, and speaks French in a French launch.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { LtiHttpClient } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { untranslatedText } from '../support/untranslated.ts';

const course = { id: 'c-i18n-notes', title: 'Course' };
const ada = { sub: 'ada', name: 'Ada Writer', roles: [ROLES.learner] };
const bo = { sub: 'bo', name: 'Bo Reader', roles: [ROLES.learner] };

describe('notifications in every language', () => {
  const { get, post, follow, launchIn } = cohortSuite({ context: course });

  it('en-XA: empty, then with a mention and a reply; fr: the same in French', async () => {
    const writer = await launchIn(ada, 'en');
    const reader = await launchIn(bo, 'en-XA');
    const empty = (await get(reader, `${reader.base}/notifications`)).body;
    const commons = await follow(writer, `${writer.base}/commons`);
    expect((await post(writer, `${commons}/threads`, { title: 'Who has tried this?', body: 'Hello @boreader' })).status).to.equal(303);
    const full = (await get(reader, `${reader.base}/notifications`)).body;
    expect(parse(full).querySelectorAll('[data-test=notification]')).to.have.length(1);
    expect([...untranslatedText(empty), ...untranslatedText(full)].join('\n')).to.equal('');
    const fr = await launchIn(bo, 'fr');
    const page = parse((await get(fr, `${fr.base}/notifications`)).body);
    expect(page.querySelector('[data-test=notification] a')?.text).to.equal('Ada Writer vous a mentionné dans « Who has tried this? »');
  });
});

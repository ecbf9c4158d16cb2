// Discussions through the catalogs: the commons, a group space, a thread with every kind of post (a
// reply, kudos, an edited post, one hidden by a facilitator), the edit and delete pages, a refused
// post, and the facilitator's module spaces, in the pseudo-locale en-XA show no string outside the
// catalogs (people's names, titles and posts are marked translate="no"). French and Spanish readers
// of the same thread each read it in their language.
import { expect } from 'chai';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { pseudoLocalePages } from '../support/i18n-pages.ts';
import { ROLES } from '../support/lti-fixtures.ts';

const course = { id: 'c-i18n-disc', title: 'Course' };
const fay = { sub: 'fay', name: 'Fay Facilitator', roles: [ROLES.instructor] };
const learner = (n: number) => ({ sub: `l${n}`, name: `Learner ${n}`, roles: [ROLES.learner] });

describe('discussions in every language', () => {
  const s = cohortSuite({ context: course });
  const { clean, expectClean } = pseudoLocalePages(s);
  const at = (m: Member, url: string) => url.slice(m.base.length);

  async function cohortWithThread(locale: string) {
    const facilitator = await s.launchIn(fay, locale);
    const learners: Member[] = [];
    for (let n = 1; n <= 3; n++) learners.push(await s.launchIn(learner(n), locale));
    await s.formGroups(facilitator);
    const [a, b] = learners as [Member, Member];
    const space = await s.follow(a, `${a.base}/modules/1/space`);
    const started = await s.post(a, `${space}/threads`, { title: 'Hello group', body: 'What are you **working** on?' });
    expect(started.status, started.body.slice(0, 300)).to.equal(303);
    const thread = new URL(started.location!, s.env.app.url).pathname;
    const replied = await s.post(b, `${s.env.app.url}${thread}/posts`, { body: 'A new onboarding guide.' });
    expect(replied.status).to.equal(303);
    return { facilitator, a, b, space, thread: `${s.env.app.url}${thread}` };
  }

  it('en-XA: every discussion page, empty and full, its refusals and the post in every state', async () => {
    const { facilitator, a, b, space, thread } = await cohortWithThread('en-XA');
    const commons = await s.follow(a, `${a.base}/commons`);
    await clean(a, at(a, commons));
    await clean(a, at(a, space));
    const empty = await s.follow(a, `${a.base}/modules/2/space`);
    await clean(a, at(a, empty));

    const page = await clean(a, at(a, thread));
    const replyId = page.doc.querySelectorAll('[data-test=post]')[1]!.getAttribute('data-post-id')!;
    const firstId = page.doc.querySelectorAll('[data-test=post]')[0]!.getAttribute('data-post-id')!;
    expect((await s.post(a, `${a.base}/posts/${replyId}/kudos`, { [`reason-${replyId}`]: 'Useful link' })).status).to.equal(303);
    expect((await s.post(a, `${a.base}/posts/${firstId}/edit`, { body: 'What are you working on this week?' })).status).to.equal(303);
    await clean(a, `${at(a, thread)}?quote=${replyId}`);
    await clean(b, at(b, thread));
    await clean(a, `/posts/${firstId}/edit`);
    const confirm = await s.post(a, `${a.base}/posts/${firstId}/delete`, {});
    expect(confirm.status).to.equal(200);
    expectClean(confirm.body, 'the delete confirmation');
    const refused = await s.post(a, `${thread}/posts`, { body: '   ' });
    expect(refused.status).to.equal(400);
    expectClean(refused.body, 'an empty reply');
    const noTitle = await s.post(a, `${space}/threads`, { title: '', body: 'Body' });
    expect(noTitle.status).to.equal(400);
    expectClean(noTitle.body, 'a thread without a title');

    // The facilitator: hides the reply (the post shows its notice), sees the module's group spaces.
    const hidden = await s.post(facilitator, `${facilitator.base}/console/moderation/posts/${replyId}/hide`, { confirmed: 'yes', reason: 'Off topic' });
    expect(hidden.status, hidden.body.slice(0, 300)).to.equal(303);
    await clean(facilitator, at(facilitator, thread));
    await clean(b, at(b, thread));
    await clean(facilitator, '/modules/1/space');
    await clean(facilitator, '/modules/5/space');
  });

  it('fr and es: each reader reads the same thread in their own language', async () => {
    const { thread } = await cohortWithThread('fr-FR');
    const spanish = await s.launchIn(learner(2), 'es-ES');
    const french = await s.launchIn(learner(1), 'fr-FR');
    const fr = await s.get(french, thread);
    expect(fr.body).to.match(/<html lang="fr"/);
    expect(fr.doc.querySelector('[data-test=kudos-toggle]')?.text).to.equal('Dire bravo');
    expect(fr.doc.querySelector('time')?.text).to.equal('à l’instant');
    const es = await s.get(spanish, thread);
    expect(es.body).to.match(/<html lang="es"/);
    expect(es.doc.querySelector('[data-test=kudos-toggle]')?.text).to.equal('Dar un reconocimiento');
    expect(es.doc.querySelectorAll('[data-test=post-body]').map((p) => p.text.trim())).to.include('A new onboarding guide.');
  });
});

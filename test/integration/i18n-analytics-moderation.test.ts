// The facilitator's analytics and moderation pages through the catalogs: launched in the
// pseudo-locale en-XA (every catalog string accented and bracketed), no page shows plain English of
// its own, in its empty state, with data and with a form error; people's words, names and LMS titles
// are marked and skipped. A French and a Spanish launch get their language.
import { expect } from 'chai';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { pseudoLocalePages } from '../support/i18n-pages.ts';
import { sendAnnouncementEmails } from '../../server/moderation/announcements.service.ts';
import { emailNudge } from '../../server/analytics/nudge-email.job.ts';

const ann: SimUser = { sub: 'ann', name: 'Ann Author', roles: [ROLES.learner] };
const bob: SimUser = { sub: 'bob', name: 'Bob Reader', roles: [ROLES.learner] };
const cat: SimUser = { sub: 'cat', name: 'Cat Third', roles: [ROLES.learner] };
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const course = { id: 'course-i18n-fac', title: 'Course 1' };

describe('analytics and moderation in every language (en-XA finds hard-coded English)', () => {
  const s = cohortSuite({ context: course, smtp: true });
  const { env } = s;

  async function launch(user: SimUser, locale: string, browser = new LtiHttpClient()): Promise<Member> {
    const res = await env.sim.launch(env.app.url, browser, { user, clientId: env.lms.clientId, context: course, locale });
    expect(res.status, res.body.slice(0, 300)).to.equal(200);
    const cohortId = new URL(res.finalUrl).pathname.split('/')[2]!;
    return { browser, cohortId, base: `${env.app.url}/cohorts/${cohortId}` };
  }
  const { clean, refused, expectClean } = pseudoLocalePages(s);
  const ALL_PAGES = ['/console/dashboard', '/console/social', '/console/inquiry', '/console/five-factor', '/console/report', '/console/moderation', '/console/moderation/log', '/console/moderation/members', '/console/announcements'];

  it('every analytics and moderation page in its empty state, and the dashboard settings error', async () => {
    const f = await launch(fran, 'en-XA');
    for (const path of ALL_PAGES) await clean(f, path);
    await refused(f, '/console/dashboard/settings', { quietDays: '0' });
    // relationship analytics off: the social page and the report say so
    expect((await s.post(f, `${f.base}/console/dashboard/settings`, { quietDays: '7', relationshipAnalytics: 'off' })).status).to.equal(303);
    await clean(f, '/console/dashboard?saved=settings');
    await clean(f, '/console/social');
    await clean(f, '/console/report');
  });

  it('every page with learners, groups, posts, a flag, a mute and an announcement, and each form error', async () => {
    const a = await launch(ann, 'en-XA');
    const b = await launch(bob, 'en-XA');
    await launch(cat, 'en-XA');
    const f = await launch(fran, 'en-XA');
    await s.formGroups(f);
    // a thread and a reply (a tie), and a flag
    const commons = await s.follow(a, `${a.base}/commons`);
    const created = await s.post(a, `${commons}/threads`, { title: 'Weekly plans', body: 'Hello all, my plan for the week?' });
    expect(created.status, created.body.slice(0, 300)).to.equal(303);
    const thread = new URL(created.location!, env.app.url).href.replace(/[?#].*/, '');
    const postId = (await s.get(a, thread)).doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    expect((await s.post(b, `${thread}/posts`, { body: 'Building on that, I agree.' })).status).to.equal(303);
    await refused(b, `/posts/${postId}/flag`, { flagReason: '' });
    expect((await s.post(b, `${b.base}/posts/${postId}/flag`, { flagReason: 'Off topic' })).status).to.equal(303);

    for (const path of ALL_PAGES) await clean(f, path);
    await clean(f, '/console/moderation?done=dismiss');

    // the nudge page and its error, ten days on (everyone has gone quiet)
    s.clock.offsetMs = 10 * 24 * 3600_000;
    await clean(f, '/console/dashboard');
    const quiet = (await s.get(f, `${f.base}/console/dashboard`)).doc.querySelector('[data-test=quiet-learner]');
    expect(quiet, 'a quiet learner').to.not.equal(null);
    const membershipId = quiet!.getAttribute('data-membership-id')!;
    await clean(f, `/console/nudges/${membershipId}`);
    await refused(f, `/console/nudges/${membershipId}`, { message: '' });
    expect((await s.post(f, `${f.base}/console/nudges/${membershipId}`, { message: 'Hello' })).status).to.equal(303);
    await clean(f, '/console/dashboard?nudged=1');
    await refused(f, `/console/nudges/${membershipId}`, { message: 'Again' }, 409);

    // a post's moderation page, the confirmation and its error, the facilitator's edit and its error
    const mod = `/console/moderation/posts/${postId}`;
    await clean(f, mod);
    const confirm = await s.post(f, `${f.base}${mod}/hide`, { reason: '' });
    expect(confirm.status).to.equal(200);
    expectClean(confirm.body, 'hide confirmation');
    await refused(f, `${mod}/hide`, { reason: '', confirmed: 'yes' });
    await refused(f, `${mod}/delete`, { reason: '', confirmed: 'yes' });
    await clean(f, `${mod}/edit`);
    await refused(f, `${mod}/edit`, { body: '', reason: 'tidy' });
    expect((await s.post(f, `${f.base}${mod}/hide`, { reason: 'Off topic', confirmed: 'yes', from: 'queue' })).status).to.equal(303);
    await clean(f, '/console/moderation?done=hide');
    await clean(f, mod);

    // mutes: a refused mute, a mute, the muted learner's refusal, the log and its filter error
    const bobRow = (await s.get(f, `${f.base}/console/moderation/members`)).doc.querySelectorAll('[data-test=mute-row]').find((r) => r.text.includes('Bob Reader'))!;
    const bobId = bobRow.getAttribute('data-membership-id')!;
    await refused(f, `/console/moderation/members/${bobId}/mute`, { period: '1d', reason: '' });
    expect((await s.post(f, `${f.base}/console/moderation/members/${bobId}/mute`, { period: '1d', reason: 'Cooling off' })).status).to.equal(303);
    await clean(f, '/console/moderation/members?done=mute');
    const muted = await s.post(b, `${thread}/posts`, { body: 'Still here' });
    expect(muted.status).to.equal(403);
    expect(muted.doc.querySelector('[data-test=error-message]')!.text).to.match(/⟦/);
    await clean(f, '/console/moderation/log');
    await clean(f, '/console/moderation/log?action=mute');
    await clean(f, '/console/moderation/log?from=2000-01-01&to=2000-01-02');
    await clean(f, '/console/moderation/log?from=yesterday', 400);

    // announcements: a refused one, then one sent
    await refused(f, '/console/announcements', { audience: 'cohort', title: '', body: '' });
    expect((await s.post(f, `${f.base}/console/announcements`, { audience: 'cohort', title: 'Welcome', body: 'Glad you are here.' })).status).to.equal(303);
    await clean(f, '/console/announcements?sent=1');
    await clean(f, '/console/moderation/log');

    // names shown in the network
    expect((await s.post(f, `${f.base}/console/dashboard/settings`, { quietDays: '7', showNames: 'on', relationshipAnalytics: 'on' })).status).to.equal(303);
    await clean(f, '/console/social');
    await clean(f, '/console/report');
  });

  it('French and Spanish launches get their language on the dashboard and the moderation queue', async () => {
    const fr = await launch(fran, 'fr-FR');
    const dash = await s.get(fr, `${fr.base}/console/dashboard`);
    expect(dash.body).to.match(/<html lang="fr"/);
    expect(dash.doc.querySelector('h1')!.text).to.contain('Tableau de bord');
    expect(dash.doc.querySelector('#settings')!.text).to.equal('Paramètres du tableau de bord');
    const csv = await s.get(fr, `${fr.base}/console/export/participation.csv`);
    expect(csv.body.split('\r\n')[0]).to.match(/^participant·e,groupe,fils lancés,/);
    const queue = await s.get(fr, `${fr.base}/console/moderation`);
    expect(queue.doc.querySelector('h1')!.text).to.equal('File de modération');

    const es = await launch(fran, 'es-ES');
    const social = await s.get(es, `${es.base}/console/social`);
    expect(social.body).to.match(/<html lang="es"/);
    expect(social.doc.querySelector('h1')!.text).to.contain('Capital social');
    expect(social.doc.querySelector('h2')!.text).to.equal('Cifras');
    const log = await s.get(es, `${es.base}/console/moderation/log`);
    expect(log.doc.querySelector('h1')!.text).to.equal('Registro de auditoría');

    // right to left: every page renders in ar-XB
    const rtl = await launch(fran, 'ar-XB');
    for (const path of ALL_PAGES) expect((await s.get(rtl, `${rtl.base}${path}`)).body, path).to.match(/<html lang="ar-XB" dir="rtl"/);
  });

  it('emails an announcement and a nudge in each recipient’s language, the facilitator’s words as written', async () => {
    const fr = await launch({ ...ann, email: 'ann@example.org' }, 'fr-FR');
    await launch({ ...bob, email: 'bob@example.org' }, 'es-ES');
    const f = await launch(fran, 'en');
    expect((await s.post(f, `${f.base}/console/announcements`, { audience: 'cohort', title: 'Kick-off call', body: 'Thursday at 10.' })).status).to.equal(303);
    const announcement = await env.app.db.selectFrom('announcements').select(['id', 'tenantId']).executeTakeFirstOrThrow();
    await sendAnnouncementEmails(env.app.emailDeps, { tenantId: announcement.tenantId, announcementId: announcement.id });
    const toAnn = s.smtp.to('ann@example.org');
    expect(toAnn).to.have.length(1);
    expect(toAnn[0]!.text).to.contain('L’équipe d’animation a publié une annonce dans Course 1').and.contain('Bonjour Ann Author,').and.contain('Thursday at 10.');
    expect(s.smtp.to('bob@example.org')[0]!.text).to.contain('Tu persona facilitadora publicó un anuncio en Course 1');

    const annId = (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', 'ann').executeTakeFirstOrThrow()).id;
    expect((await s.post(f, `${f.base}/console/nudges/${annId}`, { message: 'We miss you.' })).status).to.equal(303);
    const nudge = await env.app.db.selectFrom('nudges').select(['id', 'tenantId']).executeTakeFirstOrThrow();
    expect(await emailNudge(env.app.emailDeps, { tenantId: nudge.tenantId, nudgeId: nudge.id })).to.equal('sent');
    const nudged = s.smtp.to('ann@example.org').at(-1)!;
    expect(nudged.subject).to.equal('Un mot de l’équipe d’animation de Course 1');
    expect(nudged.text).to.contain('We miss you.');
    void fr;
  });
});

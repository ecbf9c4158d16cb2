// Action plans, sign-in links and email settings through the catalogs: every page a learner, a
// partner, a facilitator and an invited manager reach (empty, full, refused), in the pseudo-locale
// en-XA, shows no string outside the catalogs; people's plans and names are marked translate="no".
// Emails go out in each recipient's language: a French owner's partner who works in Spanish reads
// Spanish, the owner French.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { linkIn } from '../support/smtp-sink.ts';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { pseudoLocalePages } from '../support/i18n-pages.ts';
import { untranslatedText } from '../support/untranslated.ts';
import { registerActionPlanEmails, type ActionPlanEmailDeps } from '../../server/action-plans/action-plan-emails.ts';
import { sendCheckInReminders } from '../../server/action-plans/check-ins.service.ts';

const ada: SimUser = { sub: 'ada', name: 'Ada Planner', email: 'ada@example.org', roles: [ROLES.learner] };
const bo: SimUser = { sub: 'bo', name: 'Bo Partner', email: 'bo@example.org', roles: [ROLES.learner] };
const cy: SimUser = { sub: 'cy', name: 'Cy Groupmate', email: 'cy@example.org', roles: [ROLES.learner] };
const fay: SimUser = { sub: 'fay', name: 'Fay Facilitator', email: 'fay@example.org', roles: [ROLES.instructor] };
const DAY = 86_400_000;

describe('action plans and email settings in every language', () => {
  const s = cohortSuite({ context: { id: 'course-i18n-plans', title: 'Plans course' }, smtp: true, queues: 1 });
  const { env, clock, smtp, queues } = s;
  const { clean, refused, expectClean } = pseudoLocalePages(s);
  let deps: ActionPlanEmailDeps;
  before(async () => {
    deps = { ...env.app.emailDeps, now: clock.now };
    await registerActionPlanEmails(queues[0]!, deps, { pollingIntervalSeconds: 0.5 });
  });
  const plan = { g1_title: 'Shorter handovers', g1_actions: 'Ask Sam to watch\nWrite a checklist', g1_due: '2027-03-01', g1_success: 'Fewer questions', g1_support: '', visibility: 'cohort', shareCheckIns: 'on', intent: 'submit' };
  const membershipOf = async (sub: string) => (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', sub).executeTakeFirstOrThrow()).id;
  /** A page with no launch (a link from an email), in the browser's language. */
  const visit = async (url: string, locale = 'en-XA', browser = new LtiHttpClient()) => {
    const r = await browser.request(url, { headers: { 'accept-language': locale } });
    return { status: r.status, body: r.body, doc: parse(r.body) };
  };

  it('en-XA: the plan, partners, board, check-ins, console, manager’s page, sign-in links and email settings', async () => {
    const facilitator = await s.launchIn(fay, 'en-XA');
    const owner = await s.launchIn(ada, 'en-XA');
    const partner = await s.launchIn(bo, 'en-XA');
    await s.launchIn(cy, 'en-XA');
    await s.formGroups(facilitator);
    await clean(owner, '/action-plan');
    await refused(owner, '/action-plan', { ...plan, g1_title: '', g1_due: 'soon' });
    expect((await s.post(owner, `${owner.base}/action-plan`, plan)).status).to.equal(303);
    await clean(owner, '/action-plan?saved=submitted');
    await refused(owner, '/action-plan/partners', {});
    expect((await s.post(owner, `${owner.base}/action-plan/partners`, { partner: await membershipOf('bo') })).status).to.equal(303);
    // Every email this test causes is awaited here, so none arrives during the next test.
    const [askedEmail] = await smtp.waitFor('bo@example.org');
    expectClean(askedEmail!.html, 'the partner request email');
    await clean(owner, '/action-plan?saved=partners');
    const planId = (await env.app.db.selectFrom('actionPlans').select('id').executeTakeFirstOrThrow()).id;
    await clean(partner, `/action-plans/${planId}`);
    await clean(partner, '/action-plan');
    expect((await s.post(partner, `${partner.base}/action-plans/${planId}/answer`, { answer: 'accept' })).status).to.equal(303);
    // The owner hears of the answer (a job): its email, worded through the catalogs too.
    const [answered] = await smtp.waitFor('ada@example.org');
    expectClean(answered!.html, 'the partner’s answer email');
    await refused(partner, `/action-plans/${planId}/comments`, { body: '' });
    await clean(owner, '/action-plans');
    await clean(facilitator, '/action-plans/console');
    await refused(facilitator, '/action-plans/console/schedule', { endsOn: 'never', weeks: '0' });
    expect((await s.post(facilitator, `${facilitator.base}/action-plans/console/schedule`, { endsOn: clock.now().toISOString().slice(0, 10), weeks: '2, 4' })).status).to.equal(303);
    await clean(owner, '/action-plan/check-ins/1');
    clock.offsetMs = 15 * DAY;
    await clean(owner, '/action-plan/check-ins/1');
    await refused(owner, '/action-plan/check-ins/1', { journal: 'x' });
    expect((await s.post(owner, `${owner.base}/action-plan/check-ins/1`, { a_0_0_status: 'done', a_0_0_note: 'Sam watched', a_0_1_status: 'in-progress', a_0_1_note: '' })).status).to.equal(303);
    await clean(owner, `/action-plans/${planId}`);
    await clean(facilitator, '/action-plans/console?reminded=2');

    // The manager: invited by address, their page in their browser's language, a refused comment.
    expect((await s.post(owner, `${owner.base}/action-plan/manager`, { email: 'max@example.com' })).status).to.equal(303);
    const [invite] = await smtp.waitFor('max@example.com');
    expectClean(invite!.html, 'the manager’s invitation email');
    const managerLink = linkIn(invite!, '/action-plans/links/manager/');
    const manager = new LtiHttpClient();
    const managerPage = await visit(managerLink, 'en-XA', manager);
    expect(managerPage.status).to.equal(200);
    expectClean(managerPage.body, 'the manager’s page');
    const refusedComment = await manager.request(`${managerLink}/comment`, { method: 'POST', headers: { 'accept-language': 'en-XA' }, form: { _csrf: managerPage.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!, body: '' } });
    expect(refusedComment.status).to.equal(400);
    expectClean(refusedComment.body, 'a refused manager comment');

    // Sign-in links: the request page, a sign-in page, an ended link.
    expectClean((await visit(`${env.app.url}/action-plans/links/request`)).body, 'the sign-in link request');
    expectClean((await visit(`${env.app.url}/action-plans/links/request?sent=1`)).body, 'the sign-in link requested');
    smtp.clear();
    // Check-in 2 falls due four weeks after the end.
    clock.offsetMs = 29 * DAY;
    await sendCheckInReminders(deps, clock.now());
    const [reminder] = await smtp.waitFor('ada@example.org');
    expectClean(reminder!.html, 'the reminder email');
    const signIn = linkIn(reminder!, '/action-plans/links/sign-in/');
    expectClean((await visit(signIn)).body, 'the sign-in page');

    // Email settings: in the course, and by the emailed link (in the email's language).
    await clean(owner, '/email');
    await clean(owner, '/email?saved=1');
    const preferences = linkIn(reminder!, '/email/preferences/');
    expect(preferences).to.not.equal('');
    expectClean((await visit(preferences, 'en-GB')).body, 'the email settings by link');
    const asked = await visit(`${preferences}/unsubscribe/action-plan-reminders`, 'en-GB');
    expect(asked.body).to.match(/<html lang="en-XA"/);
    expectClean(asked.body, 'the unsubscribe page');
  });

  it('emails each recipient in their own language: a Spanish partner, a French owner', async () => {
    const owner = await s.launchIn(ada, 'fr-FR');
    const partner = await s.launchIn(bo, 'es-ES');
    const facilitator = await s.launchIn(fay, 'fr-FR');
    await s.formGroups(facilitator);
    expect((await s.post(owner, `${owner.base}/action-plan`, plan)).status).to.equal(303);
    const own = await s.get(owner, `${owner.base}/action-plan`);
    expect(own.body).to.match(/<html lang="fr"/);
    expect(own.doc.querySelector('h1')?.text).to.equal('Votre plan d’action');
    expect((await s.post(owner, `${owner.base}/action-plan/partners`, { partner: await membershipOf('bo') })).status).to.equal(303);
    const [asked] = await smtp.waitFor('bo@example.org');
    expect(asked!.subject).to.equal('Ada Planner te pide que seas su compañero de seguimiento');
    expect(asked!.html).to.match(/<html lang="es"/);
    const planId = (await env.app.db.selectFrom('actionPlans').select('id').executeTakeFirstOrThrow()).id;
    expect((await s.post(partner as Member, `${partner.base}/action-plans/${planId}/answer`, { answer: 'accept' })).status).to.equal(303);
    const [answered] = await smtp.waitFor('ada@example.org');
    expect(answered!.subject).to.equal('Bo Partner a répondu à votre demande');
    expect(answered!.text).to.contain('Bonjour Ada Planner,');
  });
});

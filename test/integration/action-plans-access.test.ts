// Who sees which action plan, through the simulated LMS and a real SMTP server: group-only, cohort
// and private plans read by the owner's group, another group of the same cohort, partners and the
// facilitator (pages and board); a check-in's journal entry, private unless shared; and what a
// session made by an emailed sign-in link reaches.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { linkIn } from '../support/smtp-sink.ts';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';

const fay: SimUser = { sub: 'fay', name: 'Fay Facilitator', email: 'fay@example.org', roles: [ROLES.instructor] };
const learner = (n: number): SimUser => ({ sub: `l${n}`, name: `Learner ${n}`, email: `l${n}@example.org`, roles: [ROLES.learner] });
const DAY = 86_400_000;

describe('action plans: who sees what', () => {
  const { env, clock, smtp, ...m } = cohortSuite({ context: { id: 'course-access', title: 'Access course' }, smtp: true });
  const now = clock.now;


  const mailTo = (address: string, n = 1) => smtp.waitFor(address, n);
  const planForm = (title: string, visibility: string) => ({
    g1_title: title,
    g1_actions: 'One concrete step',
    g1_due: '2027-03-01',
    g1_success: 'It is visibly better',
    visibility,
    shareCheckIns: 'on',
    intent: 'submit',
  });
  const membershipOf = async (sub: string) =>
    (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', sub).executeTakeFirstOrThrow()).id;
  const boardOf = async (who: Member) => {
    const page = await m.get(who, `${who.base}/action-plans`);
    expect(page.status).to.equal(200);
    return { hrefs: page.doc.querySelectorAll('[data-test=board-plan] a').map((a) => a.getAttribute('href')!).sort(), body: page.body };
  };

  /** A facilitator and six learners in two groups of three (by the facilitator's formation). */
  async function twoGroups() {
    const facilitator = await m.launch(fay);
    const people = new Map<string, Member>();
    for (let n = 1; n <= 6; n++) people.set(`l${n}`, await m.launch(learner(n)));
    const groupOf = await m.formGroups(facilitator);
    const groups = [...new Set(groupOf.values())];
    expect(groups).to.have.length(2);
    const [a, b] = groups.map((g) => [...groupOf].filter(([sub]) => sub.startsWith('l') && groupOf.get(sub) === g).map(([sub]) => sub).sort());
    expect(a).to.have.length(3);
    expect(b).to.have.length(3);
    return { facilitator, people, a: a!, b: b! };
  }

  it('shows a group-only plan to its group but not to another group of the cohort (404, nothing leaked), a cohort plan to all, and a private one only to its owner and partners', async () => {
    const { facilitator, people, a, b } = await twoGroups();
    const [a1, a2, a3] = a.map((s) => people.get(s)!);
    const [b1, b2] = b.map((s) => people.get(s)!);
    const subOf = new Map([...people].map(([sub, who]) => [who, sub]));
    const plans: Record<string, string> = {};
    for (const [who, title, visibility] of [
      [a1!, 'Goal only my group sees', 'group'],
      [a2!, 'Goal the whole cohort sees', 'cohort'],
      [a3!, 'Goal nobody else sees', 'private'],
    ] as const) {
      expect((await m.post(who, `${who.base}/action-plan`, planForm(title, visibility))).status).to.equal(303);
      const row = await env.app.db.selectFrom('actionPlans').select('id').where('membershipId', '=', await membershipOf(subOf.get(who)!)).executeTakeFirstOrThrow();
      plans[visibility] = `/cohorts/${who.cohortId}/action-plans/${row.id}`;
    }
    // The private plan's owner asks a1 (accepts) and a2 (declines).
    expect((await m.post(a3!, `${a3!.base}/action-plan/partners`, { partner: await membershipOf(a[0]!) })).status).to.equal(303);
    expect((await m.post(a3!, `${a3!.base}/action-plan/partners`, { partner: await membershipOf(a[1]!) })).status).to.equal(303);
    const privateId = plans.private!.split('/').pop()!;
    expect((await m.post(a1!, `${a1!.base}/action-plans/${privateId}/answer`, { answer: 'accept' })).status).to.equal(303);
    expect((await m.post(a2!, `${a2!.base}/action-plans/${privateId}/answer`, { answer: 'decline' })).status).to.equal(303);

    const opens = async (who: Member, path: string) => (await m.get(who, `${env.app.url}${path}`)).status;
    // Another group of the same cohort: the group-only and the private plan are not found, and their
    // owners' names and goals appear nowhere, not on the 404 page nor on the board.
    for (const other of [b1!, b2!]) {
      for (const hidden of [plans.group!, plans.private!]) {
        const page = await m.get(other, `${env.app.url}${hidden}`);
        expect(page.status).to.equal(404);
        expect(page.body).to.not.match(/Goal only my group sees|Goal nobody else sees|Learner [13]’s/);
      }
      expect(await opens(other, plans.cohort!)).to.equal(200);
      const board = await boardOf(other);
      expect(board.hrefs).to.deep.equal([plans.cohort!]);
      expect(board.body).to.not.contain('Goal only my group sees');
      expect(board.body).to.not.contain('Goal nobody else sees');
    }
    // The owner's group sees the group-only plan; the private one only its owner and the partner who accepted.
    expect(await opens(a2!, plans.group!)).to.equal(200);
    expect(await opens(a3!, plans.group!)).to.equal(200);
    expect(await opens(a3!, plans.private!)).to.equal(200);
    expect(await opens(a1!, plans.private!)).to.equal(200);
    expect(await opens(a2!, plans.private!)).to.equal(404);
    expect(await opens(facilitator, plans.private!)).to.equal(404);
    expect(await opens(facilitator, plans.group!)).to.equal(404);
    expect(await opens(facilitator, plans.cohort!)).to.equal(200);

    // The board lists exactly what each reader may see there: shared plans and their own.
    expect((await boardOf(a1!)).hrefs).to.deep.equal([plans.group!, plans.cohort!].sort());
    expect((await boardOf(a2!)).hrefs).to.deep.equal([plans.group!, plans.cohort!].sort());
    expect((await boardOf(a3!)).hrefs).to.deep.equal([plans.group!, plans.cohort!, plans.private!].sort());
    expect((await boardOf(facilitator)).hrefs).to.deep.equal([plans.cohort!]);
    // A partner reaches a private plan from their own page, not from the board.
    const a1Own = await m.get(a1!, `${a1!.base}/action-plan`);
    expect(a1Own.doc.querySelectorAll('[data-test=partner-requests] a').map((x) => x.getAttribute('href'))).to.deep.equal([plans.private!]);

    // Changing the group-only plan to private takes it from the group at once.
    expect((await m.post(a1!, `${a1!.base}/action-plan`, planForm('Goal only my group sees', 'private'))).status).to.equal(303);
    expect(await opens(a2!, plans.group!)).to.equal(404);
    expect((await boardOf(a2!)).hrefs).to.deep.equal([plans.cohort!]);
  });

  it('gives an emailed sign-in link a session for the action-plan pages only, and a used link a 410 page with a way to get a new one', async () => {
    const facilitator = await m.launch(fay);
    const owner = await m.launch(learner(1));
    await m.launch(learner(2));
    await m.launch(learner(3));
    await m.formGroups(facilitator);
    expect((await m.post(owner, `${owner.base}/action-plan`, planForm('Run better handovers', 'group'))).status).to.equal(303);
    await m.post(facilitator, `${facilitator.base}/action-plans/console/schedule`, { endsOn: now().toISOString().slice(0, 10), weeks: '2' });
    clock.offsetMs = 15 * DAY;
    expect((await m.post(facilitator, `${facilitator.base}/action-plans/console/remind`, {})).location).to.contain('reminded=1');
    const signIn = linkIn((await mailTo('l1@example.org'))[0]!, '/action-plans/links/sign-in/');

    // A fresh browser with no LMS launch; the membership is active.
    const browser = new LtiHttpClient();
    const viaLink: Member = { browser, base: owner.base, cohortId: owner.cohortId };
    expect((await browser.request(`${owner.base}/action-plan`)).status).to.equal(401);
    const csrf = parse((await browser.request(signIn)).body).querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const signedIn = await browser.request(signIn, { method: 'POST', form: { _csrf: csrf } });
    expect(signedIn.status).to.equal(303);

    for (const path of ['/action-plan', '/action-plan/check-ins/1', '/action-plans']) expect((await m.get(viaLink, `${owner.base}${path}`)).status, path).to.equal(200);
    // Its pages link only where this session can go: home is the plan, no hub or notifications link.
    const planPage = (await m.get(viaLink, `${owner.base}/action-plan`)).doc;
    expect(planPage.querySelector('a.brand')!.getAttribute('href')).to.equal(`/cohorts/${owner.cohortId}/action-plan`);
    expect(planPage.querySelector('[data-test=notifications-link]')).to.equal(null);
    expect(planPage.querySelectorAll('a').map((a) => a.getAttribute('href'))).to.not.include(`/cohorts/${owner.cohortId}`);
    expect((await m.get(owner, `${owner.base}/action-plan`)).doc.querySelector('a.brand')!.getAttribute('href')).to.equal(`/cohorts/${owner.cohortId}`);
    const space = new URL(await m.follow(owner, `${owner.base}/modules/1/space`)).pathname.replace(owner.base.replace(env.app.url, ''), '');
    for (const path of ['', '/modules/1', '/commons', '/modules/1/space', space, '/profile', '/notifications']) {
      // The same pages open for the same person launched from the LMS.
      expect((await m.get(owner, `${owner.base}${path}`)).status, path).to.be.oneOf([200, 303]);
      const page = await m.get(viaLink, `${owner.base}${path}`);
      expect(page.status, path).to.equal(401);
      expect(page.doc.querySelector('[data-test=error-page]')?.getAttribute('data-code'), path).to.equal('no-launch');
    }
    // A write outside the plan pages is refused too (and nothing is written).
    const pageCsrf = (await m.get(viaLink, `${owner.base}/action-plan`)).doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const reflection = await browser.request(`${owner.base}/modules/1/activities/set-your-intention`, { method: 'POST', form: { _csrf: pageCsrf, text: 'Written via the email session', intent: 'draft' } });
    expect(reflection.status).to.equal(401);
    expect(await env.app.db.selectFrom('activityResponses').select('id').execute()).to.have.length(0);

    // The used link: 410, with a button for a new one (sent to the address it came to).
    const stranger = new LtiHttpClient();
    const reused = await stranger.request(signIn);
    expect(reused.status).to.equal(410);
    const doc = parse(reused.body);
    expect(doc.querySelector('[data-test=link-ended]')?.getAttribute('data-reason')).to.equal('used');
    const renewForm = doc.querySelector('[data-test=renew-link]')!.parentNode!;
    smtp.clear();
    const renewed = await stranger.request(new URL(renewForm.getAttribute('action')!, env.app.url).href, { method: 'POST', form: { _csrf: doc.querySelector('input[name=_csrf]')!.getAttribute('value')! } });
    expect(renewed.status).to.equal(200);
    const fresh = linkIn((await mailTo('l1@example.org'))[0]!, '/action-plans/links/sign-in/');
    expect(fresh).to.not.equal('');
    expect(fresh).to.not.equal(signIn);
  });

  it('keeps a check-in’s journal entry to its owner unless shared with that check-in, then shows it to partners and the manager', async () => {
    const facilitator = await m.launch(fay);
    const owner = await m.launch(learner(1));
    const partner = await m.launch(learner(2));
    const groupmate = await m.launch(learner(3));
    await m.formGroups(facilitator);
    expect((await m.post(owner, `${owner.base}/action-plan`, planForm('Run better handovers', 'group'))).status).to.equal(303);
    const planId = (await env.app.db.selectFrom('actionPlans').select('id').executeTakeFirstOrThrow()).id;
    await m.post(owner, `${owner.base}/action-plan/partners`, { partner: await membershipOf('l2') });
    await m.post(partner, `${partner.base}/action-plans/${planId}/answer`, { answer: 'accept' });
    expect((await m.post(owner, `${owner.base}/action-plan/manager`, { email: 'max.manager@example.com' })).status).to.equal(303);
    const managerLink = linkIn((await mailTo('max.manager@example.com'))[0]!, '/action-plans/links/manager/');
    await m.post(facilitator, `${facilitator.base}/action-plans/console/schedule`, { endsOn: now().toISOString().slice(0, 10), weeks: '2, 4' });
    clock.offsetMs = 29 * DAY; // both check-ins due, the manager’s 30-day link still good

    // The box is unticked to begin with, and a refused check-in keeps both the entry and the tick.
    const form = await m.get(owner, `${owner.base}/action-plan/check-ins/1`);
    expect(form.doc.querySelector('[data-test=share-journal]')?.hasAttribute('checked')).to.equal(false);
    const refused = await m.post(owner, `${owner.base}/action-plan/check-ins/2`, { a_0_0_note: 'Forgot the status', journal: 'Shared journal two', shareJournal: 'on' });
    expect(refused.status).to.equal(400);
    expect(refused.doc.querySelector('#journal')?.text).to.equal('Shared journal two');
    expect(refused.doc.querySelector('[data-test=share-journal]')?.hasAttribute('checked')).to.equal(true);

    expect((await m.post(owner, `${owner.base}/action-plan/check-ins/1`, { a_0_0_status: 'in-progress', a_0_0_note: 'Started', journal: 'Private journal one' })).status).to.equal(303);
    expect((await m.post(owner, `${owner.base}/action-plan/check-ins/2`, { a_0_0_status: 'done', a_0_0_note: 'Finished', journal: 'Shared journal two', shareJournal: 'on' })).status).to.equal(303);
    const stored = await env.app.db.selectFrom('checkIns').select(['seq', 'journalShared']).orderBy('seq').execute();
    expect(stored).to.deep.equal([{ seq: 1, journalShared: false }, { seq: 2, journalShared: true }]);

    const journals = (doc: ReturnType<typeof parse>) => doc.querySelectorAll('[data-test=check-in]').map((c) => [c.getAttribute('data-seq'), c.querySelector('[data-test=journal]')?.text ?? null]);
    // The owner sees both, each marked with who sees it.
    const own = await m.get(owner, `${owner.base}/action-plans/${planId}`);
    expect(journals(own.doc)).to.deep.equal([['1', 'Private journal one'], ['2', 'Shared journal two']]);
    expect(own.doc.querySelectorAll('[data-test=journal-sharing]').map((x) => x.text)).to.deep.equal(['Journal entry: only you see it.', 'Journal entry shared with your partners and manager.']);
    // The partner and the manager see both check-ins, and only the shared entry.
    const partnerPage = await m.get(partner, `${partner.base}/action-plans/${planId}`);
    expect(journals(partnerPage.doc)).to.deep.equal([['1', null], ['2', 'Shared journal two']]);
    expect(partnerPage.body).to.not.contain('Private journal one');
    const managerPage = await new LtiHttpClient().request(managerLink);
    expect(managerPage.status).to.equal(200);
    expect(journals(parse(managerPage.body))).to.deep.equal([['1', null], ['2', 'Shared journal two']]);
    expect(managerPage.body).to.not.contain('Private journal one');
    // A groupmate reading the group-only plan sees no check-ins at all.
    const groupPage = await m.get(groupmate, `${groupmate.base}/action-plans/${planId}`);
    expect(groupPage.status).to.equal(200);
    expect(groupPage.doc.querySelectorAll('[data-test=check-in]')).to.have.length(0);
    expect(groupPage.body).to.not.contain('Shared journal two');
  });
});

// Action plans end to end through the simulated LMS and a real SMTP server: plan → partner accepts →
// manager invited → the cohort's end date passes (injected clock) → reminder email (one, even with
// two pg-boss workers) → check-in via the emailed link → partner and manager notified → the manager
// logs the conversation. Then authorisation, bad input and abuse.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { linkIn } from '../support/smtp-sink.ts';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { registerActionPlanEmails, type ActionPlanEmailDeps } from '../../server/action-plans/action-plan-emails.ts';
import { CHECK_IN_REMINDER_QUEUE, registerCheckInReminders, sendCheckInReminders } from '../../server/action-plans/check-ins.service.ts';

const ada: SimUser = { sub: 'ada', name: 'Ada Planner', email: 'ada@example.org', roles: [ROLES.learner] };
const bo: SimUser = { sub: 'bo', name: 'Bo Partner', email: 'bo@example.org', roles: [ROLES.learner] };
const cy: SimUser = { sub: 'cy', name: 'Cy Groupmate', email: 'cy@example.org', roles: [ROLES.learner] };
const fay: SimUser = { sub: 'fay', name: 'Fay Facilitator', email: 'fay@example.org', roles: [ROLES.instructor] };
const dee: SimUser = { sub: 'dee', name: 'Dee Elsewhere', email: 'dee@example.org', roles: [ROLES.learner] };
const DAY = 86_400_000;

describe('action plans', () => {
  const { env, clock, smtp, queues, ...m } = cohortSuite({ context: { id: 'course-plans', title: 'Plans course' }, smtp: true, queues: 2 });
  const now = clock.now;
  let deps: ActionPlanEmailDeps;

  before(async () => {
    deps = { ...env.app.emailDeps, now };
    // Two workers on one database, as two app processes would run them.
    for (const q of queues) {
      await registerActionPlanEmails(q, deps, { pollingIntervalSeconds: 0.5 });
      await registerCheckInReminders(q, deps, { pollingIntervalSeconds: 0.5 });
    }
  });


  /** Waits (polling, not timing) until `address` has `n` emails. */
  const mailTo = (address: string, n = 1) => smtp.waitFor(address, n);
  const planForm = (over: Record<string, string> = {}) => ({
    g1_title: 'Run handovers with fewer follow-up questions',
    g1_actions: 'Ask Sam to watch two handovers\nWrite a one-page handover checklist',
    g1_due: '2027-03-01',
    g1_success: 'The incoming team asks half as many questions',
    g1_support: 'Fifteen minutes with the transport manager',
    visibility: 'group',
    shareCheckIns: 'on',
    intent: 'submit',
    ...over,
  });
  async function cohortWithPlan() {
    const facilitator = await m.launch(fay);
    const owner = await m.launch(ada);
    const partner = await m.launch(bo);
    const groupmate = await m.launch(cy);
    await m.formGroups(facilitator);
    await m.post(owner, `${owner.base}/modules/1/activities/set-your-intention`, { text: 'Get better at shift handovers', intent: 'draft' });
    const saved = await m.post(owner, `${owner.base}/action-plan`, planForm());
    expect(saved.status, saved.body.slice(0, 400)).to.equal(303);
    const plan = await env.app.db.selectFrom('actionPlans').selectAll().executeTakeFirstOrThrow();
    return { facilitator, owner, partner, groupmate, planId: plan.id };
  }
  const membershipOf = async (sub: string) =>
    (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', sub).executeTakeFirstOrThrow()).id;

  it('runs the whole loop: plan, partner, manager, end date, one reminder, check-in by link, notices, conversation', async () => {
    const { facilitator, owner, partner, planId } = await cohortWithPlan();
    const ownPage = await m.get(owner, `${owner.base}/action-plan`);
    expect(ownPage.doc.querySelector('[data-test=intention]')?.text).to.contain('Get better at shift handovers');

    // Partner: asked from the group, accepts in-app, after an email asking them.
    expect((await m.post(owner, `${owner.base}/action-plan/partners`, { partner: await membershipOf('bo') })).status).to.equal(303);
    const [asked] = await mailTo('bo@example.org');
    expect(asked!.subject).to.equal('Ada Planner asked you to be an accountability partner');
    expect(asked!.text).to.contain('Change what Circlework emails you:');
    expect((await m.post(partner, `${partner.base}/action-plans/${planId}/answer`, { answer: 'accept' })).status).to.equal(303);
    expect((await mailTo('ada@example.org'))[0]!.subject).to.equal('Bo Partner answered your partner request');

    // Manager invited by address; their link shows the plan.
    expect((await m.post(owner, `${owner.base}/action-plan/manager`, { email: 'max.manager@example.com' })).status).to.equal(303);
    const [invite] = await mailTo('max.manager@example.com');
    const managerLink = linkIn(invite!, '/action-plans/links/manager/');
    const manager = new LtiHttpClient();
    const managerPage = parse((await manager.request(managerLink)).body);
    expect(managerPage.querySelectorAll('[data-test=goal]')).to.have.length(1);

    // The facilitator sets the end date to today; two weeks and a day later the first check-in is due.
    const today = now().toISOString().slice(0, 10);
    expect((await m.post(facilitator, `${facilitator.base}/action-plans/console/schedule`, { endsOn: today, weeks: '2, 4, 8' })).status).to.equal(303);
    clock.offsetMs = 15 * DAY;
    smtp.clear();
    // Two workers each get a run, and two more runs race directly: still one reminder.
    await Promise.all(queues.map((q) => q.boss.send(CHECK_IN_REMINDER_QUEUE, {})));
    await Promise.all([sendCheckInReminders(deps, now()), sendCheckInReminders(deps, now())]);
    const [reminder] = await mailTo('ada@example.org');
    for (let i = 0; i < 40; i++) {
      const open = await env.app.db.selectFrom('pgboss.job' as never).select('state' as never).where('name' as never, '=', CHECK_IN_REMINDER_QUEUE as never).where('state' as never, 'in', ['created', 'active', 'retry'] as never).execute();
      if (open.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(smtp.to('ada@example.org')).to.have.length(1);
    expect(reminder!.subject).to.equal('Time for check-in 1 on your action plan');
    expect(await env.app.db.selectFrom('checkInReminders').selectAll().execute()).to.have.length(1);

    // The learner checks in through the emailed link, in a fresh browser (the course may be closed).
    const browser = new LtiHttpClient();
    const signIn = linkIn(reminder!, '/action-plans/links/sign-in/');
    const confirm = parse((await browser.request(signIn)).body);
    const csrf = confirm.querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const signedIn = await browser.request(signIn, { method: 'POST', form: { _csrf: csrf } });
    expect(signedIn.status).to.equal(303);
    const checkInUrl = new URL(signedIn.headers.get('location')!, env.app.url).href;
    expect(checkInUrl).to.contain('/action-plan/check-ins/1');
    const viaLink: Member = { browser, base: owner.base, cohortId: owner.cohortId };
    const form = parse((await browser.request(checkInUrl)).body);
    const token = form.querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const recorded = await browser.request(checkInUrl, { method: 'POST', form: { _csrf: token, a_0_0_status: 'done', a_0_0_note: 'Sam watched both', a_0_1_status: 'blocked', a_0_1_note: 'No time yet', journal: 'Private thoughts about the team' } });
    expect(recorded.status, recorded.body.slice(0, 300)).to.equal(303);
    expect((await m.get(viaLink, `${owner.base}/action-plan`)).status).to.equal(200);
    // The used link does not work twice.
    const reused = await new LtiHttpClient().request(signIn);
    expect(reused.status).to.equal(410);
    expect(parse(reused.body).querySelector('[data-test=renew-link]')).to.not.equal(null);

    // Partner and manager hear about it; the partner replies.
    const [partnerNotice] = await mailTo('bo@example.org');
    expect(partnerNotice!.subject).to.equal('Ada Planner checked in on their action plan');
    const managerNotice = (await mailTo('max.manager@example.com'))[0]!;
    expect(managerNotice.subject).to.equal('Ada Planner checked in on their action plan');
    expect((await m.post(partner, `${partner.base}/action-plans/${planId}/comments`, { body: 'Great start, keep going!' })).status).to.equal(303);

    // The manager sees the check-in but not the journal nor the partner's reply, and logs the conversation.
    const mLink = linkIn(managerNotice, '/action-plans/links/manager/');
    const mPage = await manager.request(mLink);
    const mDoc = parse(mPage.body);
    expect(mDoc.querySelectorAll('[data-test=check-in]')).to.have.length(1);
    expect(mPage.body).to.not.contain('Private thoughts');
    expect(mPage.body).to.not.contain('Great start');
    expect(mPage.body).to.not.contain('Bo Partner');
    const mCsrf = mDoc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const logged = await manager.request(`${mLink}/conversation`, { method: 'POST', form: { _csrf: mCsrf, body: 'We talked on Monday' } });
    expect(logged.status).to.equal(303);
    const comments = await env.app.db.selectFrom('actionPlanComments').select(['kind', 'body']).orderBy('createdAt').execute();
    expect(comments).to.deep.equal([{ kind: 'comment', body: 'Great start, keep going!' }, { kind: 'conversation', body: 'We talked on Monday' }]);
    const ownerView = await m.get(owner, `${owner.base}/action-plans/${planId}`);
    expect(ownerView.doc.querySelector('[data-kind=conversation]')?.text).to.contain('We talked on Monday');
  });

  it('lets a partner read but not edit (403), and hides a group-only plan from another cohort (404)', async () => {
    const { owner, partner, planId } = await cohortWithPlan();
    await m.post(owner, `${owner.base}/action-plan/partners`, { partner: await membershipOf('bo') });
    expect((await m.get(partner, `${partner.base}/action-plans/${planId}`)).status).to.equal(200);
    const edit = await m.post(partner, `${partner.base}/action-plans/${planId}`, planForm({ g1_title: 'Hijacked' }));
    expect(edit.status).to.equal(403);
    const stored = await env.app.db.selectFrom('actionPlans').select('goals').executeTakeFirstOrThrow();
    expect(stored.goals[0]!.title).to.equal('Run handovers with fewer follow-up questions');

    const other = await m.launch(dee, { id: 'other-course', title: 'Other course' });
    expect((await m.get(other, `${other.base}/action-plans/${planId}`)).status).to.equal(404);
    expect((await m.get(other, `${owner.base}/action-plans/${planId}`)).status).to.equal(401);
    const board = await m.get(other, `${other.base}/action-plans`);
    expect(board.doc.querySelectorAll('[data-test=board-plan]')).to.have.length(0);
  });

  it('answers an empty manager comment with the error summary, the message beside the comment box', async () => {
    const { owner } = await cohortWithPlan();
    await m.post(owner, `${owner.base}/action-plan/manager`, { email: 'max.manager@example.com' });
    const link = linkIn((await mailTo('max.manager@example.com'))[0]!, '/action-plans/links/manager/');
    const manager = new LtiHttpClient();
    const page = parse((await manager.request(link)).body);
    const csrf = page.querySelector('[data-test=manager-comment-form] input[name=_csrf]')!.getAttribute('value')!;
    const r = await manager.request(`${link}/comment`, { method: 'POST', form: { _csrf: csrf, body: '  ' } });
    expect(r.status).to.equal(400);
    const doc = parse(r.body);
    expect(doc.querySelectorAll('main > [data-test=error-summary] a').map((a) => [a.getAttribute('href'), a.text])).to.deep.equal([['#body', 'Write a comment first.']]);
    expect(doc.querySelector('#body')!.getAttribute('aria-describedby')).to.equal('body-hint body-error');
    expect(doc.querySelector('#body-error')!.text).to.equal('Write a comment first.');
    expect(doc.querySelector('#conversation-note')!.hasAttribute('aria-invalid')).to.equal(false);
  });

  it('ends a manager link at once when revoked (410), and a tampered token is 404', async () => {
    const { owner } = await cohortWithPlan();
    await m.post(owner, `${owner.base}/action-plan/manager`, { email: 'max.manager@example.com' });
    const link = linkIn((await mailTo('max.manager@example.com'))[0]!, '/action-plans/links/manager/');
    const manager = new LtiHttpClient();
    expect((await manager.request(link)).status).to.equal(200);
    const tampered = link.slice(0, -3) + (link.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await manager.request(tampered)).status).to.equal(404);
    const invite = await env.app.db.selectFrom('managerInvites').select('id').executeTakeFirstOrThrow();
    expect((await m.post(owner, `${owner.base}/action-plan/manager/${invite.id}/revoke`, {})).status).to.equal(303);
    const revoked = await manager.request(link);
    expect(revoked.status).to.equal(410);
    expect(parse(revoked.body).querySelector('[data-test=link-ended]')?.getAttribute('data-reason')).to.equal('revoked');
    expect(parse(revoked.body).querySelector('[data-test=renew-link]')).to.equal(null);
  });

  it('gives an expired link a 410 page with a way to get a new one', async () => {
    const { owner } = await cohortWithPlan();
    await m.post(owner, `${owner.base}/action-plan/manager`, { email: 'max.manager@example.com' });
    const link = linkIn((await mailTo('max.manager@example.com'))[0]!, '/action-plans/links/manager/');
    clock.offsetMs = 31 * DAY;
    const manager = new LtiHttpClient();
    const expired = await manager.request(link);
    expect(expired.status).to.equal(410);
    const doc = parse(expired.body);
    expect(doc.querySelector('[data-test=link-ended]')?.getAttribute('data-reason')).to.equal('expired');
    const renew = doc.querySelector('[data-test=renew-link]')!.parentNode!;
    const r = await manager.request(new URL(renew.getAttribute('action')!, env.app.url).href, { method: 'POST', form: { _csrf: doc.querySelector('input[name=_csrf]')!.getAttribute('value')! } });
    expect(r.status).to.equal(200);
    const fresh = linkIn((await mailTo('max.manager@example.com', 2))[1]!, '/action-plans/links/manager/');
    expect((await manager.request(fresh)).status).to.equal(200);
  });

  it('refuses an invalid manager address (400, kept) and rate-limits invites (429 after five an hour)', async () => {
    const { owner } = await cohortWithPlan();
    const bad = await m.post(owner, `${owner.base}/action-plan/manager`, { email: 'not-an-address' });
    expect(bad.status).to.equal(400);
    expect(bad.doc.querySelector('input[name=email]')?.getAttribute('value')).to.equal('not-an-address');
    expect(bad.doc.querySelector('#email-error')).to.not.equal(null);
    for (let i = 0; i < 4; i++) expect((await m.post(owner, `${owner.base}/action-plan/manager`, { email: `boss${i}@example.com` })).status).to.equal(303);
    const flood = await m.post(owner, `${owner.base}/action-plan/manager`, { email: 'one.more@example.com' });
    expect(flood.status).to.equal(429);
    expect(await env.app.db.selectFrom('managerInvites').select('id').execute()).to.have.length(4);
  });

  it('keeps what was typed when a submission is incomplete (400), saved as a draft', async () => {
    await m.launch(fay);
    const owner = await m.launch(ada);
    const r = await m.post(owner, `${owner.base}/action-plan`, planForm({ g1_success: '', g1_due: '' }));
    expect(r.status).to.equal(400);
    expect(r.doc.querySelector('#g1_title')?.getAttribute('value')).to.equal('Run handovers with fewer follow-up questions');
    expect(r.doc.querySelector('#g1_actions')?.text).to.contain('Ask Sam to watch two handovers');
    const row = await env.app.db.selectFrom('actionPlans').select(['status', 'goals']).executeTakeFirstOrThrow();
    expect(row.status).to.equal('draft');
    expect(row.goals[0]!.actions).to.have.length(2);
  });
  it('honours an opt-out of partner updates and one of action-plan reminders, and only of that topic', async () => {
    const { facilitator, owner, partner } = await cohortWithPlan();
    const optOut = async (sub: string, topic: 'partner-updates' | 'action-plan-reminders') => {
      const person = await env.app.db.selectFrom('persons').select(['id', 'tenantId']).where('sub', '=', sub).executeTakeFirstOrThrow();
      await env.app.db.insertInto('emailOptOuts').values({ tenantId: person.tenantId, personId: person.id, topic }).execute();
    };
    await optOut('bo', 'partner-updates');
    await optOut('ada', 'action-plan-reminders');
    // Bo is asked (partner-updates: off for Bo), then answers; Ada's email about the answer shows the jobs ran.
    expect((await m.post(owner, `${owner.base}/action-plan/partners`, { partner: await membershipOf('bo') })).status).to.equal(303);
    expect((await m.post(partner, `${partner.base}/action-plans/${(await env.app.db.selectFrom('actionPlans').select('id').executeTakeFirstOrThrow()).id}/answer`, { answer: 'accept' })).status).to.equal(303);
    expect((await mailTo('ada@example.org'))[0]!.subject).to.equal('Bo Partner answered your partner request');
    for (let i = 0; i < 100; i++) {
      const open = await env.app.db.selectFrom('pgboss.job' as never).select('state' as never).where('name' as never, '=', 'action-plan-emails' as never).where('state' as never, 'in', ['created', 'active', 'retry'] as never).execute();
      if (open.length === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(smtp.to('bo@example.org')).to.have.length(0);
    // A check-in falls due: Ada turned reminders off, so none goes out.
    expect((await m.post(facilitator, `${facilitator.base}/action-plans/console/schedule`, { endsOn: now().toISOString().slice(0, 10), weeks: '2, 4, 8' })).status).to.equal(303);
    clock.offsetMs = 15 * DAY;
    smtp.clear();
    const run = await sendCheckInReminders(deps, now());
    expect(run.sent).to.equal(0);
    expect(smtp.to('ada@example.org')).to.have.length(0);
  });

  it('keeps a submitted plan submitted when a re-submission fails: others still read it, the owner gets the failed edit back', async () => {
    const { owner, partner, groupmate, planId } = await cohortWithPlan();
    const r = await m.post(owner, `${owner.base}/action-plan`, planForm({ g1_title: 'A new goal half typed', g1_success: '' }));
    expect(r.status).to.equal(400);
    expect(r.doc.querySelector('[data-test=plan-error]')!.text).to.contain('others still see your plan as it was');
    const row = await env.app.db.selectFrom('actionPlans').select(['status', 'goals']).executeTakeFirstOrThrow();
    expect(row.status).to.equal('submitted');
    expect(row.goals[0]!.title).to.equal('Run handovers with fewer follow-up questions');
    // The group (visibility 'group') and the board still show the submitted plan.
    for (const reader of [groupmate, partner]) {
      const page = await m.get(reader, `${reader.base}/action-plans/${planId}`);
      expect(page.status).to.equal(200);
      expect(page.body).to.contain('Run handovers with fewer follow-up questions');
      expect(page.body).to.not.contain('A new goal half typed');
      expect((await m.get(reader, `${reader.base}/action-plans`)).body).to.contain('Run handovers with fewer follow-up questions');
    }
    // The owner's form holds the failed edit, after a new launch too; a valid save publishes it and clears it.
    const again = await m.launch(ada);
    const own = await m.get(again, `${again.base}/action-plan`);
    expect(own.doc.querySelector('#g1_title')?.getAttribute('value')).to.equal('A new goal half typed');
    expect(own.doc.querySelector('[data-test=pending-edit]')).to.not.equal(null);
    expect((await m.post(again, `${again.base}/action-plan`, planForm({ g1_title: 'A new goal, finished' }))).status).to.equal(303);
    const after = await m.get(again, `${again.base}/action-plan`);
    expect(after.doc.querySelector('#g1_title')?.getAttribute('value')).to.equal('A new goal, finished');
    expect(after.doc.querySelector('[data-test=pending-edit]')).to.equal(null);
    expect((await m.get(groupmate, `${groupmate.base}/action-plans/${planId}`)).body).to.contain('A new goal, finished');
  });

  it('shows the facilitator figures (learner → 403) and ends an emailed sign-in when the membership ends', async () => {
    const { facilitator, owner } = await cohortWithPlan();
    expect((await m.get(owner, `${owner.base}/action-plans/console`)).status).to.equal(403);
    const page = await m.get(facilitator, `${facilitator.base}/action-plans/console`);
    expect(page.doc.querySelector('[data-test=plan-completion]')?.text).to.contain('1 of 3 learners submitted a plan');
    await m.post(facilitator, `${facilitator.base}/action-plans/console/schedule`, { endsOn: now().toISOString().slice(0, 10), weeks: '2' });
    clock.offsetMs = 15 * DAY;
    const remind = await m.post(facilitator, `${facilitator.base}/action-plans/console/remind`, {});
    expect(remind.location).to.contain('reminded=1');
    const [mail] = await mailTo('ada@example.org');
    expect(mail!.subject).to.equal('A reminder: check-in 1 on your action plan');
    await env.app.db.updateTable('memberships').set({ status: 'inactive' }).where('id', '=', await membershipOf('ada')).execute();
    const browser = new LtiHttpClient();
    const signIn = linkIn(mail!, '/action-plans/links/sign-in/');
    const csrf = parse((await browser.request(signIn)).body).querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const r = await browser.request(signIn, { method: 'POST', form: { _csrf: csrf } });
    expect(r.status).to.equal(303);
    expect((await browser.request(new URL(r.headers.get('location')!, env.app.url).href)).status).to.equal(401);
    expect((await browser.request(`${owner.base}/modules/1`)).status).to.equal(401);
  });
});

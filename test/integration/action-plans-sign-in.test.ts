// Asking for an emailed sign-in link by address (/action-plans/links/request), through the simulated
// LMS and a real SMTP server: known addresses get one link per cohort, everyone gets the same page,
// bad addresses are refused with what was typed, floods are limited per address and per IP.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { linkIn, type ReceivedEmail } from '../support/smtp-sink.ts';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';

const ada: SimUser = { sub: 'ada', name: 'Ada Planner', email: 'ada@example.org', roles: [ROLES.learner] };
const bo: SimUser = { sub: 'bo', name: 'Bo Partner', email: 'bo@example.org', roles: [ROLES.learner] };
const cy: SimUser = { sub: 'cy', name: 'Cy Without Plan', email: 'cy@example.org', roles: [ROLES.learner] };
const fay: SimUser = { sub: 'fay', name: 'Fay Facilitator', email: 'fay@example.org', roles: [ROLES.instructor] };

describe('action plans: asking for a sign-in link by email address', () => {
  const { env, smtp, ...m } = cohortSuite({ context: { id: 'course-sign-in', title: 'Sign-in course' }, smtp: true });


  const requestUrl = () => `${env.app.url}/action-plans/links/request`;
  const signInLinkIn = (mail: ReceivedEmail) => linkIn(mail, '/action-plans/links/sign-in/');
  const planForm = { g1_title: 'Run better handovers', g1_actions: 'Write a checklist', g1_due: '2027-03-01', g1_success: 'Fewer questions', visibility: 'private', intent: 'submit' };
  const membershipOf = async (sub: string) =>
    (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select(['m.id', 'm.cohortId']).where('p.sub', '=', sub).execute());

  /** Asks for a link from `browser` (CSRF token from the page itself); the SMTP sink has the mail once this returns. */
  async function ask(browser: LtiHttpClient, email: string) {
    const token = parse((await browser.request(requestUrl())).body).querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const r = await browser.request(requestUrl(), { method: 'POST', form: { _csrf: token, email } });
    return { status: r.status, location: r.headers.get('location'), doc: parse(r.body), body: r.body };
  }
  /** Ada has plans in two cohorts; Bo accepted to partner on one; Cy is in the cohort with neither. */
  async function people() {
    const facilitator = await m.launch(fay);
    const owner = await m.launch(ada);
    const partner = await m.launch(bo);
    await m.launch(cy);
    await m.formGroups(facilitator);
    expect((await m.post(owner, `${owner.base}/action-plan`, planForm)).status).to.equal(303);
    const elsewhere = await m.launch(ada, { id: 'second-course', title: 'Second course' });
    expect((await m.post(elsewhere, `${elsewhere.base}/action-plan`, planForm)).status).to.equal(303);
    const [bos] = await membershipOf('bo');
    expect((await m.post(owner, `${owner.base}/action-plan/partners`, { partner: bos!.id })).status).to.equal(303);
    const plan = await env.app.db.selectFrom('actionPlans').select('id').where('cohortId', '=', owner.cohortId).executeTakeFirstOrThrow();
    expect((await m.post(partner, `${partner.base}/action-plans/${plan.id}/answer`, { answer: 'accept' })).status).to.equal(303);
    return { owner, elsewhere, partner };
  }

  it('emails a known address one single-use link per cohort, and answers every address with the same page', async () => {
    const { owner, elsewhere, partner } = await people();
    const browser = new LtiHttpClient();
    const page = parse((await browser.request(requestUrl())).body);
    expect(page.querySelector('[data-test=request-link-form]')).to.not.equal(null);

    const known = await ask(browser, '  ADA@example.org ');
    expect(known.status).to.equal(303);
    const mails = smtp.to('ada@example.org');
    expect(mails.map((x) => x.subject).sort()).to.deep.equal(['Your sign-in link for Second course', 'Your sign-in link for Sign-in course']);
    expect(mails[0]!.text).to.contain('Change what Circlework emails you:');

    // Unknown, without a plan or partnership, or only a facilitator: the same answer, no email.
    for (const other of ['nobody@example.org', 'cy@example.org', 'fay@example.org']) {
      const r = await ask(browser, other);
      expect([r.status, r.location], other).to.deep.equal([known.status, known.location]);
    }
    expect(smtp.messages).to.have.length(2);
    const answered = await browser.request(new URL(known.location!, env.app.url).href);
    expect(answered.status).to.equal(200);
    expect(parse(answered.body).querySelector('[data-test=link-requested]')?.text).to.contain('If that address belongs to someone with an action plan');

    // An accepted partner gets one too.
    await ask(new LtiHttpClient(), 'bo@example.org');
    expect(smtp.to('bo@example.org').map((x) => x.subject)).to.deep.equal(['Your sign-in link for Sign-in course']);

    // Each link signs in to its own cohort's plan page, once.
    for (const [mail, base] of [[mails.find((x) => x.subject.endsWith('Sign-in course'))!, owner.base], [mails.find((x) => x.subject.endsWith('Second course'))!, elsewhere.base], [smtp.to('bo@example.org')[0]!, partner.base]] as const) {
      const fresh = new LtiHttpClient();
      const link = signInLinkIn(mail);
      const csrf = parse((await fresh.request(link)).body).querySelector('input[name=_csrf]')!.getAttribute('value')!;
      const signedIn = await fresh.request(link, { method: 'POST', form: { _csrf: csrf } });
      expect(signedIn.status).to.equal(303);
      expect(new URL(signedIn.headers.get('location')!, env.app.url).href).to.equal(`${base}/action-plan`);
      expect((await fresh.request(`${base}/action-plan`)).status).to.equal(200);
      expect((await new LtiHttpClient().request(link)).status).to.equal(410);
    }
  });

  it('sends nothing for a cohort whose membership ended', async () => {
    await people();
    const [first, second] = await membershipOf('ada');
    await env.app.db.updateTable('memberships').set({ status: 'inactive' }).where('id', '=', first!.id).execute();
    await ask(new LtiHttpClient(), 'ada@example.org');
    const mails = smtp.to('ada@example.org');
    expect(mails).to.have.length(1);
    const cohort = await env.app.db.selectFrom('cohorts').select('title').where('id', '=', second!.cohortId).executeTakeFirstOrThrow();
    expect(mails[0]!.subject).to.equal(`Your sign-in link for ${cohort.title}`);
  });

  it('sends the link even when the person turned off action-plan reminders: they asked for it', async () => {
    await people();
    const person = await env.app.db.selectFrom('persons').select(['id', 'tenantId']).where('sub', '=', 'ada').executeTakeFirstOrThrow();
    await env.app.db.insertInto('emailOptOuts').values({ tenantId: person.tenantId, personId: person.id, topic: 'action-plan-reminders' }).execute();
    await ask(new LtiHttpClient(), 'ada@example.org');
    expect(smtp.to('ada@example.org')).to.have.length(2);
  });

  it('refuses an address that is not one (400), keeping what was typed and sending nothing', async () => {
    await people();
    const bad = await ask(new LtiHttpClient(), 'ada at example');
    expect(bad.status).to.equal(400);
    expect(bad.doc.querySelector('input[name=email]')?.getAttribute('value')).to.equal('ada at example');
    expect(bad.doc.querySelector('#email-error')?.text).to.contain('Give your email address');
    expect(smtp.messages).to.have.length(0);
    expect(await env.app.db.selectFrom('signedLinks').select('id').where('purpose', '=', 'sign-in').execute()).to.have.length(0);
  });

  it('limits requests per address (429 after three an hour, whatever the case) and per IP (429 after thirty)', async () => {
    await people();
    const browser = new LtiHttpClient();
    for (const email of ['ada@example.org', 'Ada@example.org', 'ada@EXAMPLE.org']) expect((await ask(browser, email)).status).to.equal(303);
    expect(smtp.to('ada@example.org')).to.have.length(6);
    const flood = await ask(browser, 'ada@example.org');
    expect(flood.status).to.equal(429);
    expect(smtp.to('ada@example.org')).to.have.length(6);

    // From one IP, addresses that are all different (and unknown): the 31st request of the hour is
    // refused (the four above count too, the refused one included).
    for (let i = 5; i <= 30; i++) expect((await ask(browser, `someone${i}@example.org`)).status, `request ${i}`).to.equal(303);
    const fromIp = await ask(browser, 'bo@example.org');
    expect(fromIp.status).to.equal(429);
    expect(smtp.to('bo@example.org')).to.have.length(0);
  });

  it('is linked from a used link’s 410 page and from the “not signed in” page', async () => {
    const { owner } = await people();
    await ask(new LtiHttpClient(), 'ada@example.org');
    const link = signInLinkIn(smtp.to('ada@example.org')[0]!);
    const browser = new LtiHttpClient();
    const csrf = parse((await browser.request(link)).body).querySelector('input[name=_csrf]')!.getAttribute('value')!;
    await browser.request(link, { method: 'POST', form: { _csrf: csrf } });
    const used = await new LtiHttpClient().request(link);
    expect(used.status).to.equal(410);
    expect(parse(used.body).querySelector('[data-test=request-link] a, a[data-test=request-link]')?.getAttribute('href')).to.equal('/action-plans/links/request');

    const notSignedIn = await new LtiHttpClient().request(`${owner.base}/action-plan`);
    expect(notSignedIn.status).to.equal(401);
    expect(parse(notSignedIn.body).querySelector('[data-test=request-link] a')?.getAttribute('href')).to.equal('/action-plans/links/request');
    // Other errors do not offer it.
    const notFound = await new LtiHttpClient().request(`${env.app.url}/no-such-page`);
    expect(parse(notFound.body).querySelector('[data-test=request-link]')).to.equal(null);
  });
});

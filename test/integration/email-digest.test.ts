// The daily email digest through a real SMTP server: one email per person with unread mentions,
// a text and an HTML part, a preferences link that works without a launch, one-click unsubscribe;
// nothing for people without an address or who opted out; each notification emailed once, and
// again on the next run if the SMTP server refused it.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import type { TestApp } from '../support/test-app.ts';
import { startTestJobQueue } from '../support/test-jobs.ts';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { sendEmailDigests } from '../../server/notifications/email-digest.ts';
import type { EmailDeps } from '../../server/email/mailer.ts';
import { EMAIL_TOPICS } from '../../server/email/email-topics.ts';
import { EMAIL_DIGEST_QUEUE, registerEmailDigest } from '../../server/notifications/email-digest.job.ts';
import type { JobQueue } from '../../server/jobs/job-queue.ts';

const ada: SimUser = { sub: 'ada', name: 'Ada Writer', email: 'ada@example.org', roles: [ROLES.learner] };
const bo: SimUser = { sub: 'bo', name: 'Bo Reader', email: 'bo@example.org', roles: [ROLES.learner] };
const cy: SimUser = { sub: 'cy', name: 'Cy Private', roles: [ROLES.learner] }; // the LMS shares no email

describe('email digest', () => {
  const { env, smtp, launch: launchInto } = cohortSuite({ context: { id: 'course-mail', title: 'Mail course' }, smtp: true });
  type Member = { browser: LtiHttpClient; base: string };
  const launch = (user: SimUser) => launchInto(user);
  let app: TestApp;
  let deps: EmailDeps;
  before(() => {
    app = env.app;
    deps = app.emailDeps;
  });

  const page = async (m: Member, url: string) => parse((await m.browser.request(url)).body);
  const csrf = async (m: Member, url: string) => (await page(m, url)).querySelector('input[name=_csrf]')!.getAttribute('value')!;
  /** Ada mentions the others in a new commons thread. */
  async function mentionEveryone(writer: Member) {
    const commons = new URL((await writer.browser.request(`${writer.base}/commons`)).headers.get('location')!, app.url).href;
    const r = await writer.browser.request(`${commons}/threads`, { method: 'POST', form: { title: 'Who has tried this?', body: 'Hello @boreader and @cyprivate', _csrf: await csrf(writer, commons) } });
    expect(r.status).to.equal(303);
  }

  it('writes each digest in its recipient’s language: their launch’s, or their own choice', async () => {
    const writer = await launch(ada);
    await env.sim.launch(env.app.url, new LtiHttpClient(), { user: bo, clientId: env.lms.clientId, context: { id: 'course-mail', title: 'Mail course' }, locale: 'fr-FR' });
    await mentionEveryone(writer);
    await sendEmailDigests(deps, new Date(Date.now() + 1000));
    const [mail] = smtp.to('bo@example.org');
    expect(mail!.subject).to.equal('Circlework : 1 nouvelle notification');
    expect(mail!.text).to.contain('Ada Writer vous a mentionné dans « Who has tried this? » (Mail course)');
    expect(mail!.text).to.contain('Choisir ce que Circlework vous envoie par e-mail');
    expect(parse(mail!.html).querySelector('html')?.getAttribute('lang')).to.equal('fr');
  });

  it('emails each person with an address one digest (text and HTML, preferences link), once', async () => {
    const writer = await launch(ada);
    await launch(bo);
    await launch(cy);
    await mentionEveryone(writer);
    expect(await app.db.selectFrom('notifications').select('id').execute()).to.have.length(2);

    const outcome = await sendEmailDigests(deps, new Date(Date.now() + 1000));
    expect(outcome).to.deep.equal({ sent: 1, skipped: 1 });
    expect(smtp.messages).to.have.length(1);
    const [mail] = smtp.to('bo@example.org');
    expect(mail!.subject).to.equal('Circlework: 1 new notification');
    expect(mail!.text).to.contain('Ada Writer mentioned you in “Who has tried this?” (Mail course)');
    expect(mail!.text).to.match(/Change what Circlework emails you: http:\/\/127\.0\.0\.1:\d+\/email\/preferences\//);
    const html = parse(mail!.html);
    expect(html.querySelector('a[href*="/threads/"]')!.text).to.contain('Ada Writer mentioned you');
    expect(String(mail!.headers.get('list-unsubscribe') ?? JSON.stringify(mail!.headers.get('list')))).to.contain('/unsubscribe/digest');

    expect(await sendEmailDigests(deps, new Date(Date.now() + 1000))).to.deep.equal({ sent: 0, skipped: 0 });
    expect(smtp.messages).to.have.length(1);
  });

  it('does not email what was read in the app, or anyone who turned the digest off in their settings', async () => {
    const writer = await launch(ada);
    const reader = await launch(bo);
    await mentionEveryone(writer);
    const settings = await page(reader, `${reader.base}/email`);
    expect(settings.querySelector('[data-test=topic-digest]')!.getAttribute('checked')).to.not.equal(undefined);
    const r = await reader.browser.request(`${reader.base}/email`, { method: 'POST', form: { _csrf: await csrf(reader, `${reader.base}/email`) } });
    expect(r.status).to.equal(303);
    expect((await page(reader, `${reader.base}/email`)).querySelector('[data-test=topic-digest]')!.hasAttribute('checked')).to.equal(false);
    await sendEmailDigests(deps, new Date(Date.now() + 1000));
    expect(smtp.messages).to.have.length(0);

    // on again, a new mention, read in the app before the digest: still nothing to send
    await reader.browser.request(`${reader.base}/email`, { method: 'POST', form: { on: 'digest', _csrf: await csrf(reader, `${reader.base}/email`) } });
    await mentionEveryone(writer);
    await reader.browser.request(`${reader.base}/notifications/read`, { method: 'POST', form: { _csrf: await csrf(reader, `${reader.base}/notifications`) } });
    await sendEmailDigests(deps, new Date(Date.now() + 1000));
    expect(smtp.messages).to.have.length(0);
  });

  it('shows the preferences link from an email without a launch, refuses a tampered one, and unsubscribes in one click', async () => {
    const writer = await launch(ada);
    await launch(bo);
    await mentionEveryone(writer);
    await sendEmailDigests(deps, new Date(Date.now() + 1000));
    const link = /Change what Circlework emails you: (\S+)/.exec(smtp.to('bo@example.org')[0]!.text)![1]!;
    const stranger = new LtiHttpClient();
    const prefs = await stranger.request(link);
    expect(prefs.status).to.equal(200);
    expect(parse(prefs.body).querySelector('[data-test=email-preferences]')!.text).to.contain('bo@example.org');
    const tampered = link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const bad = await stranger.request(tampered);
    expect(bad.status).to.equal(404);
    expect(bad.body).to.not.contain('bo@example.org');

    // RFC 8058: the mail client POSTs List-Unsubscribe=One-Click, without cookies or a CSRF token
    const oneClick = await new LtiHttpClient().request(`${link}/unsubscribe/digest`, { method: 'POST', form: { 'List-Unsubscribe': 'One-Click' } });
    expect(oneClick.status).to.equal(200);
    expect(await app.db.selectFrom('emailOptOuts').select('topic').execute()).to.deep.equal([{ topic: 'digest' }]);
    // a GET only asks
    const ask = await stranger.request(`${link}/unsubscribe/digest`);
    expect(parse(ask.body).querySelector('[data-test=unsubscribe]')).to.not.equal(null);
    expect((await new LtiHttpClient().request(`${tampered}/unsubscribe/digest`, { method: 'POST', form: {} })).status).to.equal(404);
    expect((await new LtiHttpClient().request(`${link}/unsubscribe/nonsense`, { method: 'POST', form: {} })).status).to.equal(404);
  });

  it('keeps the notifications for the next run when the SMTP server refuses the email', async () => {
    const writer = await launch(ada);
    await launch(bo);
    await launch({ ...cy, email: 'cy@example.org' });
    await mentionEveryone(writer);
    smtp.failNext(1);
    let failed = false;
    await sendEmailDigests(deps, new Date(Date.now() + 1000)).catch(() => (failed = true));
    expect(failed).to.equal(true);
    // one of the two was refused and stays due; the other went out
    expect(smtp.messages).to.have.length(1);
    const due = (await app.db.selectFrom('notifications').select('emailedAt').execute()).filter((n) => n.emailedAt === null);
    expect(due).to.have.length(1);
    expect(await sendEmailDigests(deps, new Date(Date.now() + 1000))).to.deep.equal({ sent: 1, skipped: 0 });
    expect(smtp.to('bo@example.org')).to.have.length(1);
  });

  it('keeps the settings page to the person’s own launch, and ignores topics it does not know', async () => {
    const reader = await launch(bo);
    const stranger = await launchInto(ada, { id: 'other-course', title: 'Other' });
    // someone launched into another cohort has no launch here: 401, and nothing changes
    expect((await stranger.browser.request(`${reader.base}/email`)).status).to.equal(401);
    const refused = await stranger.browser.request(`${reader.base}/email`, { method: 'POST', form: { _csrf: await csrf(stranger, `${stranger.base}/email`) } });
    expect(refused.status).to.equal(401);
    expect(await app.db.selectFrom('emailOptOuts').select('topic').execute()).to.have.length(0);
    // a form naming only a topic that does not exist: it is ignored, and every real topic is off
    const odd = await reader.browser.request(`${reader.base}/email`, { method: 'POST', form: { _csrf: await csrf(reader, `${reader.base}/email`), on: 'no-such-topic' } });
    expect(odd.status).to.equal(303);
    const off = (await app.db.selectFrom('emailOptOuts').select('topic').execute()).map((r) => r.topic).sort();
    expect(off).to.deep.equal(Object.keys(EMAIL_TOPICS).sort());
  });

  describe('as a pg-boss job', () => {
    let queue: JobQueue;
    before(async () => {
      queue = await startTestJobQueue();
    });
    after(async () => {
      await queue.stop();
    });

    it('sends the digest when the schedule’s job runs, with the clock it is given', async () => {
      const writer = await launch(ada);
      await launch(bo);
      await mentionEveryone(writer);
      await registerEmailDigest(queue, deps, { now: () => new Date(Date.now() + 1000), pollingIntervalSeconds: 0.5 });
      const schedules = await queue.boss.getSchedules();
      expect(schedules.map((s) => [s.name, s.cron])).to.deep.include([EMAIL_DIGEST_QUEUE, '0 7 * * *']);
      await queue.boss.send(EMAIL_DIGEST_QUEUE, {});
      for (let i = 0; i < 100 && smtp.messages.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(smtp.to('bo@example.org')).to.have.length(1);
    });
  });
});

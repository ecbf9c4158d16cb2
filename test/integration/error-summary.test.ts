// Every form that validates on the server answers a failed submit with the error summary at the top
// of the page: "There is a problem", one link per field in error to an element of the page, plain
// messages without field names in brackets, and what was typed still in the form.
import { expect } from 'chai';
import type { HTMLElement } from 'node-html-parser';
import { type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';

const lee: SimUser = { sub: 'lee', name: 'Lee Learner', roles: [ROLES.learner] };
const fay: SimUser = { sub: 'fay', name: 'Fay Facilitator', roles: [ROLES.instructor] };
const DAY = 24 * 60 * 60 * 1000;

describe('error summary after a failed submit', () => {
  const env = () => suiteEnv;
  const { env: suiteEnv, launch, get, post, follow, clock } = cohortSuite({ context: { id: 'course-errors', title: 'Errors' } });

  function summaryOf(doc: HTMLElement) {
    const summary = doc.querySelector('main > [data-test=error-summary]');
    expect(summary, 'the summary opens the page').to.not.equal(null);
    expect(summary!.getAttribute('role')).to.equal('alert');
    expect(summary!.querySelector('h2')!.text).to.equal('There is a problem');
    const links = summary!.querySelectorAll('a').map((a) => ({ href: a.getAttribute('href')!, text: a.text }));
    for (const l of links) expect(doc.querySelector(`[id="${l.href.slice(1)}"]`), `${l.href} is on the page`).to.not.equal(null);
    expect(doc.querySelector('script[src="/public/forms.js"]')).to.not.equal(null);
    return links;
  }

  it('the reflection, the action plan and the profile', async () => {
    const me = await launch(lee);
    const reflection = await post(me, `${me.base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: '  ' });
    expect(reflection.status).to.equal(400);
    expect(summaryOf(reflection.doc)).to.deep.equal([{ href: '#set-your-intention-text', text: 'Write your reflection before saving' }]);
    expect(reflection.doc.querySelector('[data-test=activity-error]')!.text).not.to.contain('(');

    const plan = await post(me, `${me.base}/action-plan`, { intent: 'submit', g1_title: 'Ask sooner', g1_due: '2027-01-01', g1_success: 'I ask within a day' });
    expect(plan.status).to.equal(400);
    expect(summaryOf(plan.doc)).to.deep.equal([{ href: '#g1_actions', text: 'Give at least one concrete action (one per line)' }]);
    expect(plan.doc.querySelector('#g1_title')!.getAttribute('value')).to.equal('Ask sooner');

    const profile = await post(me, `${me.base}/profile`, { skills: 'x'.repeat(1001), interests: 'Listening' });
    expect(profile.status).to.equal(400);
    expect(summaryOf(profile.doc)).to.deep.equal([{ href: '#skills', text: 'Skills is at most 1,000 characters: shorten it' }]);
    expect(profile.doc.querySelector('#interests')!.text).to.equal('Listening');
  });

  it('a check-in', async () => {
    const me = await launch(lee);
    const plan = { intent: 'submit', g1_title: 'Ask sooner', g1_actions: 'Ask on Fridays', g1_due: '2027-01-01', g1_success: 'I ask within a day', visibility: 'private' };
    expect((await post(me, `${me.base}/action-plan`, plan)).status).to.equal(303);
    const fac = await launch(fay);
    expect((await post(fac, `${fac.base}/action-plans/console/schedule`, { endsOn: new Date(clock.now()).toISOString().slice(0, 10), weeks: '2' })).status).to.equal(303);
    clock.offsetMs = 15 * DAY;
    const later = await launch(lee);
    const r = await post(later, `${later.base}/action-plan/check-ins/1`, { a_0_0_note: 'Asked once', journal: 'Kept' });
    expect(r.status, r.body.slice(0, 300)).to.equal(400);
    expect(summaryOf(r.doc)).to.deep.equal([{ href: '#a_0_0-status', text: 'Choose done, in progress or blocked for this action' }]);
    expect(r.doc.querySelector('#a_0_0_note')!.getAttribute('value')).to.equal('Asked once');
  });

  it('the facilitator’s check-in schedule and announcement forms', async () => {
    const fac = await launch(fay);
    const schedule = await post(fac, `${fac.base}/action-plans/console/schedule`, { endsOn: 'soon', weeks: '2, 4' });
    expect(schedule.status).to.equal(400);
    expect(summaryOf(schedule.doc)).to.deep.equal([{ href: '#endsOn', text: 'Give the course end date' }]);
    expect(schedule.doc.querySelector('#weeks')!.getAttribute('value')).to.equal('2, 4');
    const announcement = await post(fac, `${fac.base}/console/announcements`, { audience: 'cohort', title: '', body: 'Welcome' });
    expect(announcement.status).to.equal(400);
    const links = summaryOf(announcement.doc);
    expect(links.map((l) => l.href)).to.deep.equal(['#title']);
  });

  it('the dashboard settings, a nudge, and moderation’s flag, confirmation and edit forms', async () => {
    const me = await launch(lee);
    const fac = await launch(fay);
    const settings = await post(fac, `${fac.base}/console/dashboard/settings`, { quietDays: '0' });
    expect(settings.status).to.equal(400);
    expect(summaryOf(settings.doc)).to.deep.equal([{ href: '#quietDays', text: 'Enter at least 1 day' }]);
    expect(settings.doc.querySelector('#quietDays')!.getAttribute('aria-describedby')).to.equal('quietDays-hint quietDays-error');
    expect(settings.doc.querySelector('#quietDays-error')!.text).to.equal('Enter at least 1 day');

    const learner = await env().app.db.selectFrom('memberships').select('id').where('role', '=', 'learner').executeTakeFirstOrThrow();
    const nudge = await post(fac, `${fac.base}/console/nudges/${learner.id}`, { message: '   ' });
    expect(nudge.status).to.equal(400);
    expect(summaryOf(nudge.doc)).to.deep.equal([{ href: '#message', text: 'Write a message for the nudge.' }]);
    expect(nudge.doc.querySelector('#message')!.getAttribute('aria-invalid')).to.equal('true');

    const commons = await follow(me, `${me.base}/commons`);
    const thread = await post(me, `${commons}/threads`, { title: 'Hello', body: 'Hello everyone' });
    const postId = (await get(me, new URL(thread.location!, env().app.url).href)).doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    const flag = await post(me, `${me.base}/posts/${postId}/flag`, { flagReason: ' ' });
    expect(flag.status).to.equal(400);
    expect(summaryOf(flag.doc).map((l) => l.href)).to.deep.equal(['#flagReason']);
    expect(flag.doc.querySelector('#flagReason-error')!.text).to.contain('1 to 500');

    const hide = await post(fac, `${fac.base}/console/moderation/posts/${postId}/hide`, { confirmed: 'yes', reason: '', from: 'queue' });
    expect(hide.status).to.equal(400);
    expect(summaryOf(hide.doc).map((l) => l.href)).to.deep.equal(['#reason']);
    expect(hide.doc.querySelector('#reason')!.getAttribute('aria-describedby')).to.equal('reason-hint reason-error');

    const edit = await post(fac, `${fac.base}/console/moderation/posts/${postId}/edit`, { body: '  ', reason: 'Typo' });
    expect(edit.status).to.equal(400);
    expect(summaryOf(edit.doc)).to.deep.equal([{ href: '#body', text: 'Write something: the post cannot be empty.' }]);
    expect(edit.doc.querySelector('#reason')!.getAttribute('value')).to.equal('Typo');
    const noReason = await post(fac, `${fac.base}/console/moderation/posts/${postId}/edit`, { body: 'Hello all', reason: '' });
    expect(summaryOf(noReason.doc).map((l) => l.href)).to.deep.equal(['#reason']);
    expect(noReason.doc.querySelector('#body')!.text).to.equal('Hello all');
  });

  it('a page without errors has no summary and no script for it', async () => {
    const me = await launch(lee);
    const page = await get(me, `${me.base}/modules/1`);
    expect(page.status).to.equal(200);
    expect(page.doc.querySelector('[data-test=error-summary]')).to.equal(null);
    expect(page.doc.querySelector('script[src="/public/forms.js"]')).to.equal(null);
  });
});

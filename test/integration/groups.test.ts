// Forming and adjusting small groups over real HTTP, late joiners, and who may do it.
import { expect } from 'chai';
import { parse, type HTMLElement } from 'node-html-parser';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';

const learner = (i: number): SimUser => ({ sub: `l${i}`, name: `Learner ${String(i).padStart(2, '0')}`, roles: [ROLES.learner] });
const fran = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('small groups', () => {
  const { env, launch } = cohortSuite({ context: { id: 'course-g', title: 'Grouped course' } });

  const html = async (b: LtiHttpClient, url: string) => {
    const r = await b.request(url);
    return { status: r.status, doc: parse(r.body) };
  };
  const csrf = (doc: HTMLElement) => doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;

  it('previews balanced groups, forms them, and places a late joiner in the smallest group', async () => {
    for (let i = 1; i <= 10; i++) await launch(learner(i));
    const f = await launch(fran);
    const page = await html(f.browser, `${f.base}/console/groups`);
    const previewSizes = page.doc.querySelectorAll('[data-test=preview-group]').map((g) => g.querySelectorAll('li').length);
    expect(previewSizes.sort()).to.deep.equal([3, 3, 4]);
    const form = page.doc.querySelector('[data-test=form-groups]')!.parentNode as HTMLElement;
    const body = { _csrf: csrf(page.doc), seed: form.querySelector('input[name=seed]')!.getAttribute('value')!, rosterHash: form.querySelector('input[name=rosterHash]')!.getAttribute('value')! };
    const formed = await f.browser.request(`${f.base}/console/groups`, { method: 'POST', form: body });
    expect(formed.status).to.equal(303);
    const groups = await env.app.db.selectFrom('groups').select(['id', 'name']).execute();
    expect(groups).to.have.length(3);
    // the same preview cannot be committed twice
    expect((await f.browser.request(`${f.base}/console/groups`, { method: 'POST', form: body })).status).to.equal(409);

    await launch(learner(11));
    const sizes = (await env.app.db.selectFrom('groupMembers').select('groupId').execute()).reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.groupId]: (acc[r.groupId] ?? 0) + 1 }), {});
    expect(Object.values(sizes).sort()).to.deep.equal([4, 4, 3].sort());
    const after = await html(f.browser, `${f.base}/console/groups`);
    expect(after.doc.querySelector('[data-test=late-joiners]')).to.equal(null); // placed within a minute of forming
    expect(after.doc.querySelectorAll('[data-test=group]')).to.have.length(3);
  });

  it('refuses to commit a preview after the roster changed', async () => {
    for (let i = 1; i <= 4; i++) await launch(learner(i));
    const f = await launch(fran);
    const page = await html(f.browser, `${f.base}/console/groups`);
    const form = page.doc.querySelector('[data-test=form-groups]')!.parentNode as HTMLElement;
    await launch(learner(5));
    const res = await f.browser.request(`${f.base}/console/groups`, { method: 'POST', form: { _csrf: csrf(page.doc), seed: form.querySelector('input[name=seed]')!.getAttribute('value')!, rosterHash: form.querySelector('input[name=rosterHash]')!.getAttribute('value')! } });
    expect(res.status).to.equal(409);
    expect(await env.app.db.selectFrom('groups').selectAll().execute()).to.have.length(0);
  });

  it('moves a learner between groups and renames a group; bad names and foreign ids are refused', async () => {
    for (let i = 1; i <= 6; i++) await launch(learner(i));
    const f = await launch(fran);
    let page = await html(f.browser, `${f.base}/console/groups`);
    const form = page.doc.querySelector('[data-test=form-groups]')!.parentNode as HTMLElement;
    await f.browser.request(`${f.base}/console/groups`, { method: 'POST', form: { _csrf: csrf(page.doc), seed: form.querySelector('input[name=seed]')!.getAttribute('value')!, rosterHash: form.querySelector('input[name=rosterHash]')!.getAttribute('value')! } });
    page = await html(f.browser, `${f.base}/console/groups`);
    const [g1, g2] = page.doc.querySelectorAll('[data-test=group]');
    const member = g1!.querySelector('[data-test=group-member]')!.getAttribute('data-membership-id')!;
    const moved = await f.browser.request(`${f.base}/console/groups/members/${member}`, { method: 'POST', form: { _csrf: csrf(page.doc), groupId: g2!.getAttribute('data-group-id')! } });
    expect(moved.status).to.equal(303);
    page = await html(f.browser, `${f.base}/console/groups`);
    expect(page.doc.querySelector('[data-test=group-warnings]')?.text).to.contain('3 to 5');
    const renamed = await f.browser.request(`${f.base}/console/groups/${g2!.getAttribute('data-group-id')}/name`, { method: 'POST', form: { _csrf: csrf(page.doc), name: 'Otters' } });
    expect(renamed.status).to.equal(303);
    expect((await env.app.db.selectFrom('groups').select('name').where('id', '=', g2!.getAttribute('data-group-id')!).executeTakeFirstOrThrow()).name).to.equal('Otters');
    const empty = await f.browser.request(`${f.base}/console/groups/${g2!.getAttribute('data-group-id')}/name`, { method: 'POST', form: { _csrf: csrf(page.doc), name: '   ' } });
    expect(empty.status).to.equal(400);
    const foreign = await f.browser.request(`${f.base}/console/groups/members/${member}`, { method: 'POST', form: { _csrf: csrf(page.doc), groupId: '00000000-0000-4000-8000-000000000000' } });
    expect(foreign.status).to.equal(404);
  });

  it('keeps groups to facilitators of the cohort', async () => {
    const l = await launch(learner(1));
    expect((await l.browser.request(`${l.base}/console/groups`)).status).to.equal(403);
    const other = await launch(fran, { id: 'another-course', title: 'Another' });
    expect((await other.browser.request(`${l.base}/console/groups`)).status).to.equal(401);
  });

  it('explains that there is nobody to group yet', async () => {
    const f = await launch(fran);
    const page = await html(f.browser, `${f.base}/console/groups`);
    expect(page.doc.querySelector('[data-test=no-learners]')?.text).to.contain('no learners');
  });
});

// Group norms (module 4): edited together by the group, versioned so a concurrent edit is refused
// with what was typed kept, shown at the top of the group's spaces; others cannot read or edit them.
import { expect } from 'chai';
import { LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';

const learner = (i: number): SimUser => ({ sub: `n${i}`, name: `Noor ${i}`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('group norms', () => {
  const { env, launch, get, post, formGroups, follow } = cohortSuite({ context: { id: 'course-n', title: 'Norms course' } });
  type Browser = Member;

  async function twoGroups() {
    const learners = [];
    for (let i = 1; i <= 6; i++) learners.push(await launch(learner(i)));
    const f = await launch(fran);
    const groupOfSub = await formGroups(f);
    const groupOf = (i: number) => groupOfSub.get(`n${i}`)!;
    return { f, a: learners.filter((_, i) => groupOf(i + 1) === groupOf(1)), b: learners.filter((_, i) => groupOf(i + 1) !== groupOf(1)), groupA: groupOf(1) };
  }
  const spaceOf = (b: Browser, moduleId: number) => follow(b, `${b.base}/modules/${moduleId}/space`);

  it('lets the group write its norms from module 4, and shows them at the top of every group space, not the commons', async () => {
    const { a, f } = await twoGroups();
    const open = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`module_${i + 1}`, '2026-01-01']));
    expect((await post(f, `${f.base}/console/schedule`, open)).status).to.equal(303);
    const m4 = await get(a[0]!, `${a[0]!.base}/modules/4`);
    const link = m4.doc.querySelector('[data-test=norms-link]')!.getAttribute('href')!;
    const own = await get(a[0]!, new URL(link, env.app.url).href);
    expect(own.status).to.equal(303);
    const normsUrl = new URL(own.location!, env.app.url).href;
    const empty = await get(a[0]!, normsUrl);
    expect(empty.doc.querySelector('[data-test=no-norms]')).to.not.equal(null);
    expect((await get(a[0]!, await spaceOf(a[0]!, 1))).doc.querySelector('[data-test=write-norms]')).to.not.equal(null);

    const saved = await post(a[0]!, normsUrl, { norms: '- We reply within two working days\n\n2. We disagree with the idea, not the person\n', baseVersion: '0' });
    expect(saved.status).to.equal(303);
    const page = await get(a[1]!, normsUrl);
    expect(page.doc.querySelectorAll('[data-test=norms-list] li').map((li) => li.text)).to.deep.equal(['We reply within two working days', 'We disagree with the idea, not the person']);
    for (const moduleId of [1, 4, 9]) {
      const space = await get(a[1]!, await spaceOf(a[1]!, moduleId));
      expect(space.doc.querySelectorAll('[data-test=space-norms] li').map((li) => li.text), `module ${moduleId}`).to.have.length(2);
    }
    const commons = await get(a[1]!, new URL((await get(a[1]!, `${a[1]!.base}/commons`)).location!, env.app.url).href);
    expect(commons.doc.querySelector('[data-test=space-norms]')).to.equal(null);

    // a group-mate changes them: a new version, with who changed it
    expect((await post(a[1]!, normsUrl, { norms: 'We reply within two working days\nWe say when we are stuck', baseVersion: '1' })).status).to.equal(303);
    const after = await get(a[0]!, normsUrl);
    expect(after.doc.querySelector('[data-test=norms-edited]')!.text).to.contain('Noor');
    expect(await env.app.db.selectFrom('groupNormVersions').select('version').orderBy('version').execute()).to.deep.equal([{ version: 1 }, { version: 2 }]);
  });

  it('refuses an edit made on top of a version someone else replaced (409), keeping what was typed', async () => {
    const { a, groupA } = await twoGroups();
    const url = `${a[0]!.base}/groups/${groupA}/norms`;
    expect((await post(a[0]!, url, { norms: 'First agreed norm', baseVersion: '0' })).status).to.equal(303);
    // both open version 1; the first saves, the second's save is refused
    expect((await post(a[0]!, url, { norms: 'First agreed norm\nMine', baseVersion: '1' })).status).to.equal(303);
    const late = await post(a[1]!, url, { norms: 'First agreed norm\nTheirs, typed carefully', baseVersion: '1' });
    expect(late.status).to.equal(409);
    expect(late.doc.querySelector('[data-test=norms-error]')!.text).to.contain('changed the norms while you were editing');
    expect(late.doc.querySelector('#norms')!.text).to.equal('First agreed norm\nTheirs, typed carefully');
    expect(late.doc.querySelectorAll('[data-test=norms-list] li').map((li) => li.text)).to.deep.equal(['First agreed norm', 'Mine']);
    expect(late.doc.querySelector('input[name=baseVersion]')!.getAttribute('value')).to.equal('2');
    expect((await env.app.db.selectFrom('groupNormVersions').select('version').execute()).length).to.equal(2);
  });

  it('answers too many or too long norms with 400, keeping the text and changing nothing', async () => {
    const { a, groupA } = await twoGroups();
    const url = `${a[0]!.base}/groups/${groupA}/norms`;
    const eleven = Array.from({ length: 11 }, (_, i) => `Norm ${i + 1}`).join('\n');
    const many = await post(a[0]!, url, { norms: eleven, baseVersion: '0' });
    expect(many.status).to.equal(400);
    expect(many.doc.querySelector('#norms')!.text).to.equal(eleven);
    expect((await post(a[0]!, url, { norms: 'x'.repeat(201), baseVersion: '0' })).status).to.equal(400);
    expect((await post(a[0]!, url, { norms: 'fine', baseVersion: 'not-a-number' })).status).to.equal(400);
    expect(await env.app.db.selectFrom('groupNormVersions').select('version').execute()).to.have.length(0);
  });

  it('keeps another group, another cohort’s facilitator and other tenants out; the cohort’s facilitator reads only', async () => {
    const { a, b, f, groupA } = await twoGroups();
    const url = (x: Browser) => `${x.base}/groups/${groupA}/norms`;
    expect((await post(a[0]!, url(a[0]!), { norms: 'Secret norm of group A', baseVersion: '0' })).status).to.equal(303);

    const outsider = await get(b[0]!, url(b[0]!));
    expect(outsider.status).to.equal(404);
    expect(outsider.body).to.not.contain('Secret norm');
    expect((await post(b[0]!, url(b[0]!), { norms: 'hijack', baseVersion: '1' })).status).to.equal(404);

    const facilitator = await get(f, url(f));
    expect(facilitator.status).to.equal(200);
    expect(facilitator.body).to.contain('Secret norm of group A');
    expect(facilitator.doc.querySelector('#norms')).to.equal(null);
    expect((await post(f, url(f), { norms: 'imposed', baseVersion: '1' })).status).to.equal(403);

    const otherCohortFacilitator = await launch(fran, { id: 'other-course', title: 'Other' });
    const other = await get(otherCohortFacilitator, url(otherCohortFacilitator));
    expect(other.status).to.equal(404);
    expect(other.body).to.not.contain('Secret norm');

    // another tenant (a second platform) with the same context id
    const sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
    try {
      const lms2 = await connectPlatform(env.app, sim2);
      const stranger = await launch(learner(1), { id: 'course-n', title: 'Norms course' }, lms2);
      const r = await get(stranger, `${stranger.base}/groups/${groupA}/norms`);
      expect(r.status).to.equal(404);
      expect(r.body).to.not.contain('Secret norm');
    } finally {
      await sim2.close();
    }
    expect(await env.app.db.selectFrom('groupNormVersions').select('version').execute()).to.have.length(1);
  });

  it('tells a learner without a group yet where the norms will be', async () => {
    const l = await launch(learner(1));
    const r = await get(l, `${l.base}/norms`);
    expect(r.status).to.equal(200);
    expect(r.body).to.contain('not formed the small groups yet');
  });
});

// Files on an action plan's check-in over real HTTP: sent with the check-in form (the same upload
// reader and checks as posts), kept with the check-in, readable by who reads the plan's check-ins
// (its owner and partners), not by a groupmate who reads only the plan, a facilitator, or another
// tenant. A refused file keeps what was typed; nothing is stored for a check-in not yet open.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { download, postMultipart } from '../support/media-requests.ts';
import { pdfOf, phonePhoto } from '../support/media-fixtures.ts';
import { issueSignedLink } from '../../server/action-plans/signed-links.ts';

const DAY = 24 * 3600_000;
const fay = { sub: 'fay', name: 'Fay Facilitator', roles: [ROLES.instructor] };
const ada = { sub: 'ada', name: 'Ada Planner', roles: [ROLES.learner] };
const bo = { sub: 'bo', name: 'Bo Partner', roles: [ROLES.learner] };
const cy = { sub: 'cy', name: 'Cy Groupmate', roles: [ROLES.learner] };
const COURSE = { id: 'course-check-in-files', title: 'Check-in files' };

describe('files on check-ins', () => {
  const { env, clock, ...m } = cohortSuite({ context: COURSE });
  const url = (path: string) => new URL(path, env.app.url).href;
  let sim2: LtiPlatformSimulator;
  before(async () => {
    sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
  });
  after(() => sim2.close());

  const membershipOf = async (sub: string) =>
    (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', sub).executeTakeFirstOrThrow()).id;
  const files = () => env.app.db.selectFrom('attachments').select(['id', 'fileName', 'checkInId', 'draftTarget']).execute();
  const checkIn = async (who: Member, fields: Record<string, string>, sent: Parameters<typeof postMultipart>[3]) => postMultipart(who, `${who.base}/action-plan/check-ins/1`, fields, sent, await m.csrfOf(who));
  const entries = { a_0_0_status: 'done', a_0_0_note: 'Sam watched both', a_0_1_status: 'in-progress', a_0_1_note: '' };

  it('keeps a check-in’s files for its owner and partners only', async () => {
    const facilitator = await m.launch(fay);
    const owner = await m.launch(ada);
    const partner = await m.launch(bo);
    const groupmate = await m.launch(cy);
    await m.formGroups(facilitator);
    await m.post(owner, `${owner.base}/modules/1/activities/set-your-intention`, { text: 'Get better at shift handovers', intent: 'draft' });
    const saved = await m.post(owner, `${owner.base}/action-plan`, {
      g1_title: 'Run handovers with fewer follow-up questions', g1_actions: 'Ask Sam to watch two handovers\nWrite a one-page handover checklist', g1_due: '2027-03-01',
      g1_success: 'The incoming team asks half as many questions', g1_support: 'Fifteen minutes with the transport manager', visibility: 'group', shareCheckIns: 'on', intent: 'submit',
    });
    expect(saved.status, saved.body.slice(0, 300)).to.equal(303);
    const planId = (await env.app.db.selectFrom('actionPlans').select('id').executeTakeFirstOrThrow()).id;
    expect((await m.post(owner, `${owner.base}/action-plan/partners`, { partner: await membershipOf('bo') })).status).to.equal(303);
    expect((await m.post(partner, `${partner.base}/action-plans/${planId}/answer`, { answer: 'accept' })).status).to.equal(303);
    expect((await m.post(facilitator, `${facilitator.base}/action-plans/console/schedule`, { endsOn: clock.now().toISOString().slice(0, 10), weeks: '2, 4' })).status).to.equal(303);

    // Not open yet: refused before any byte is stored.
    const early = await checkIn(owner, entries, [{ name: 'early.pdf', data: pdfOf(800) }]);
    expect(early.status).to.equal(409);
    expect(await files()).to.have.length(0);

    clock.offsetMs = 15 * DAY;
    // A refused file: the check-in is not recorded, what was typed comes back.
    const refused = await checkIn(owner, { ...entries, journal: 'Typed before the bad file' }, [{ name: 'board.jpg', data: Buffer.from('<html><script>alert(1)</script></html>') }]);
    expect(refused.status).to.equal(415);
    expect(parse(refused.body).querySelector('textarea[name=journal]')?.text).to.equal('Typed before the bad file');
    expect(await files()).to.have.length(0);

    const recorded = await checkIn(owner, entries, [{ name: 'checklist.pdf', data: pdfOf(1500) }, { name: 'board.jpg', data: await phonePhoto() }]);
    expect(recorded.status, recorded.body.slice(0, 300)).to.equal(303);
    const stored = await files();
    expect(stored.map((f) => f.fileName)).to.have.members(['checklist.pdf', 'board.jpg']);
    expect(stored.every((f) => f.checkInId !== null && f.draftTarget === null), 'on the check-in').to.equal(true);

    // The partner sees them with the check-in, on the plan's page.
    const page = await m.get(partner, `${partner.base}/action-plans/${planId}`);
    const link = page.doc.querySelector('[data-test=check-in] [data-test=attachment-link]');
    expect(link?.text).to.contain('checklist.pdf');
    expect((await download(partner, url(link!.getAttribute('href')!))).status, 'the partner').to.equal(200);

    const lms2 = await connectPlatform(env.app, sim2);
    const otherTenant = await m.launch(bo, COURSE, lms2);
    const path = (who: Member, id: string) => url(`${who.base}/media/${id}/full`);
    for (const f of stored) {
      expect((await download(owner, path(owner, f.id))).status, `the owner, ${f.fileName}`).to.equal(200);
      expect((await download(partner, path(partner, f.id))).status, `the partner, ${f.fileName}`).to.equal(200);
      for (const [who, x] of [['a groupmate who reads the plan only', groupmate], ['a facilitator', facilitator], ['another tenant', otherTenant]] as const) {
        expect((await download(x, path(x, f.id))).status, `${who}, ${f.fileName}`).to.equal(404);
      }
    }

    // After the course the owner signs in by an emailed link: the check-in's files open, and nothing
    // else of theirs does (a pending file of the discussions, which their launch reads).
    const ownerMembership = await membershipOf('ada');
    const tenantId = (await env.app.db.selectFrom('memberships').select('tenantId').where('id', '=', ownerMembership).executeTakeFirstOrThrow()).tenantId;
    const commons = new URL((await m.get(owner, `${owner.base}/commons`)).location!, env.app.url).pathname.split('/').pop()!;
    const pending = await postMultipart(owner, `${owner.base}/media?target=space:${commons}`, {}, [{ name: 'draft.pdf', data: pdfOf(700) }], await m.csrfOf(owner));
    expect(pending.status, pending.body.slice(0, 200)).to.equal(201);
    const pendingId = (JSON.parse(pending.body) as { id: string }).id;
    expect((await download(owner, path(owner, pendingId))).status, 'the pending file, by launch').to.equal(200);
    const signIn = await issueSignedLink(env.app.db, { tenantId, purpose: 'sign-in', subjectId: ownerMembership, cohortId: owner.cohortId, singleUse: true, ttlMs: DAY, now: clock.now() });
    const byEmail: Member = { browser: new LtiHttpClient(), base: owner.base, cohortId: owner.cohortId };
    const signInPage = parse((await byEmail.browser.request(url(`/action-plans/links/sign-in/${signIn.token}`))).body);
    const signedIn = await byEmail.browser.request(url(`/action-plans/links/sign-in/${signIn.token}`), { method: 'POST', form: { _csrf: signInPage.querySelector('input[name=_csrf]')!.getAttribute('value')! } });
    expect(signedIn.status).to.equal(303);
    for (const f of stored) expect((await download(byEmail, path(byEmail, f.id))).status, `signed in by email, ${f.fileName}`).to.equal(200);
    expect((await download(byEmail, path(byEmail, pendingId))).status, 'signed in by email, a file not on a check-in').to.equal(404);

    // The manager the plan shares its check-ins with sees the files on the link's page, through the link.
    expect((await m.post(owner, `${owner.base}/action-plan/manager`, { email: 'manager@example.org' })).status).to.equal(303);
    const invite = await env.app.db.selectFrom('managerInvites').select('id').executeTakeFirstOrThrow();
    const managerLink = await issueSignedLink(env.app.db, { tenantId, purpose: 'manager-view', subjectId: invite.id, cohortId: owner.cohortId, singleUse: false, ttlMs: DAY, now: clock.now() });
    const manager = new LtiHttpClient();
    const managerPage = parse((await manager.request(url(`/action-plans/links/manager/${managerLink.token}`))).body);
    const shown = managerPage.querySelectorAll('[data-test=check-in] [data-test=attachment]');
    expect(shown.map((a) => a.getAttribute('data-attachment-id'))).to.have.members(stored.map((f) => f.id));
    for (const a of shown) {
      const href = a.querySelector('a')!.getAttribute('href')!;
      expect(href).to.match(new RegExp(`^/action-plans/links/manager/${managerLink.token.replace(/\./g, '\\.')}/files/`));
      expect((await manager.request(url(href))).status, `the manager, ${href}`).to.equal(200);
    }
    expect((await manager.request(url(`/action-plans/links/manager/${managerLink.token}/files/${pendingId}/full`))).status, 'the manager, a file not on a shared check-in').to.equal(404);
    expect((await manager.request(url(`/action-plans/links/manager/${tenantId}.not-a-token/files/${stored[0]!.id}/full`))).status, 'no link').to.equal(404);
  });

  it('counts a check-in sent with files towards the posting limit (5 in 10 s), as a post', async () => {
    const owner = await m.launch(ada);
    // Refused or not (no plan, nothing open yet), each multipart check-in counts, as a post with files would.
    for (let i = 0; i < 5; i++) expect((await checkIn(owner, entries, [{ name: `board-${i}.pdf`, data: pdfOf(500) }])).status).to.be.within(300, 428);
    expect((await checkIn(owner, entries, [{ name: 'board-6.pdf', data: pdfOf(500) }])).status).to.equal(429);
    expect(await files()).to.have.length(0);
  });
});

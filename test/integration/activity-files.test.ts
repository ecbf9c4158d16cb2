// Files on module activities over real HTTP: evidence of practice and a curation carry files, sent
// with the activity's form (the same upload reader, type checks and caps as posts). A practice
// file reaches only its author; a curation's, its author and the cohort's facilitators once it is
// submitted; never another learner, another cohort or another tenant. A ticked file is removed
// with its bytes; a refused file keeps the typed text; erasure leaves none.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { download, postMultipart } from '../support/media-requests.ts';
import { pdfOf, phonePhoto } from '../support/media-fixtures.ts';
import { erasePerson } from '../../server/privacy/erasure.service.ts';

const ada = { sub: 'ada', name: 'Ada Lovelace', roles: [ROLES.learner] };
const bo = { sub: 'bo', name: 'Bo Brown', roles: [ROLES.learner] };
const fran = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const COURSE = { id: 'course-activity-files', title: 'Activity files' };
const PRACTICE = 'modules/2/activities/show-your-work-today';
const CURATION = 'modules/3/activities/share-with-the-why';

describe('files on module activities', () => {
  const suite = cohortSuite({ context: COURSE });
  const { env } = suite;
  const url = (path: string) => new URL(path, env.app.url).href;
  let sim2: LtiPlatformSimulator;
  before(async () => {
    sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
  });
  after(() => sim2.close());

  /** Modules 2 and 3 open now (they open weeks after the cohort starts). */
  async function openModules(m: Member) {
    const tenantId = (await env.app.db.selectFrom('cohorts').select('tenantId').where('id', '=', m.cohortId).executeTakeFirstOrThrow()).tenantId;
    for (const moduleId of [2, 3]) await env.app.db.insertInto('moduleSchedules').values({ tenantId, cohortId: m.cohortId, moduleId, opensAt: new Date(Date.now() - 1000) }).execute();
  }
  const send = async (m: Member, path: string, fields: Record<string, string | string[]>, files: Parameters<typeof postMultipart>[3]) => postMultipart(m, `${m.base}/${path}`, fields, files, await suite.csrfOf(m));
  const files = () => env.app.db.selectFrom('attachments').select(['id', 'fileName', 'responseId', 'draftTarget']).orderBy('createdAt').execute();
  const fileLinks = async (m: Member, moduleId: number) => (await suite.get(m, `${m.base}/modules/${moduleId}`)).doc.querySelectorAll('[data-test=activity-file] a').map((a) => ({ name: a.text.trim(), href: a.getAttribute('href')! }));

  it('keeps evidence of practice with its files, readable by its author only', async () => {
    const a = await suite.launch(ada);
    const b = await suite.launch(bo);
    const f = await suite.launch(fran);
    await openModules(a);
    const sent = await send(a, PRACTICE, { intent: 'submit', evidence: 'I showed my draft plan to the finance team.', link: '' }, [{ name: 'whiteboard.jpg', data: await phonePhoto() }]);
    expect(sent.status, sent.body.slice(0, 300)).to.equal(303);
    const [file] = await files();
    expect(file!.responseId, 'on the response').to.be.a('string');
    const links = await fileLinks(a, 2);
    expect(links.map((l) => l.name)).to.deep.equal(['whiteboard.jpg']);
    expect((await download(a, url(links[0]!.href))).status, 'the author').to.equal(200);

    const other = await suite.launch(ada, { id: 'course-activity-files-other', title: 'Other' });
    const lms2 = await connectPlatform(env.app, sim2);
    const otherTenant = await suite.launch(bo, COURSE, lms2);
    for (const [who, m] of [['another learner', b], ['a facilitator (practice is not shared)', f], ['Ada in another cohort', other], ['another tenant', otherTenant]] as const) {
      expect((await download(m, url(`${m.base}/media/${file!.id}/full`))).status, who).to.equal(404);
    }
  });

  it('shows a curation’s files to the facilitators once it is submitted, never to another learner', async () => {
    const a = await suite.launch(ada);
    const b = await suite.launch(bo);
    const f = await suite.launch(fran);
    await openModules(a);
    const fields = { url: 'https://example.org/article', why: 'It shows how a team shares drafts early, and why that saves time.', tags: 'drafts' };
    const draft = await send(a, CURATION, { intent: 'draft', ...fields }, [{ name: 'summary.pdf', data: pdfOf(3000) }]);
    expect(draft.status, draft.body.slice(0, 300)).to.equal(303);
    const [file] = await files();
    const path = (m: Member) => url(`${m.base}/media/${file!.id}/full`);
    expect((await download(f, path(f))).status, 'a facilitator, while a draft').to.equal(404);
    const submitted = await send(a, CURATION, { intent: 'submit', ...fields }, []);
    expect(submitted.status, submitted.body.slice(0, 300)).to.equal(303);
    expect((await download(f, path(f))).status, 'a facilitator, once submitted').to.equal(200);
    // On the facilitator's page of what Ada shared.
    const adaMembership = (await env.app.db.selectFrom('attachments').select('membershipId').where('id', '=', file!.id).executeTakeFirstOrThrow()).membershipId;
    const shared = await suite.get(f, `${f.base}/console/learners/${adaMembership}`);
    const link = shared.doc.querySelector('[data-test=shared-response] [data-test=attachment-link]');
    expect(link?.text.trim()).to.contain('summary.pdf');
    expect((await download(f, url(link!.getAttribute('href')!))).status).to.equal(200);
    expect((await download(b, path(b))).status, 'another learner').to.equal(404);
    expect((await download(a, path(a))).status, 'the author').to.equal(200);
  });

  it('removes a ticked file with its bytes, keeps the text when a file is refused, and refuses files to a facilitator', async () => {
    const a = await suite.launch(ada);
    const f = await suite.launch(fran);
    await openModules(a);
    const evidence = 'What I did this week, with two files.';
    expect((await send(a, PRACTICE, { intent: 'draft', evidence, link: '' }, [{ name: 'one.pdf', data: pdfOf(1000) }, { name: 'two.pdf', data: pdfOf(1200) }])).status).to.equal(303);
    const stored = await files();
    const [one, two] = [stored.find((x) => x.fileName === 'one.pdf'), stored.find((x) => x.fileName === 'two.pdf')];
    const removed = await send(a, PRACTICE, { intent: 'draft', evidence, link: '', removeFile: one!.id }, []);
    expect(removed.status).to.equal(303);
    expect((await files()).map((x) => x.fileName)).to.deep.equal(['two.pdf']);
    expect(await env.app.db.selectFrom('mediaChunks').select('seq').where('attachmentId', '=', one!.id).execute()).to.have.length(0);

    const html = Buffer.from('<!doctype html><script>alert(1)</script>');
    const refused = await send(a, PRACTICE, { intent: 'submit', evidence: 'Typed before the bad file', link: '' }, [{ name: 'evidence.jpg', data: html }]);
    expect(refused.status).to.equal(415);
    const page = parse(refused.body);
    expect(page.querySelector('[data-test=activity-error]')?.text).to.contain('evidence.jpg');
    expect(page.querySelector('textarea[name=evidence]')?.text).to.equal('Typed before the bad file');
    expect((await files()).map((x) => x.id), 'nothing of it kept').to.deep.equal([two!.id]);

    const byFacilitator = await send(f, PRACTICE, { intent: 'draft', evidence: 'x', link: '' }, [{ name: 'f.pdf', data: pdfOf(500) }]);
    expect(byFacilitator.status).to.equal(403);
    expect(await files()).to.have.length(1);

    const person = await env.app.db.selectFrom('persons').select(['id', 'tenantId']).where('sub', '=', ada.sub).executeTakeFirstOrThrow();
    await erasePerson({ db: env.app.db, erasureKey: 'test-key' }, { by: 'tool-admin', adminUserId: '00000000-0000-4000-8000-000000000001', tenantId: person.tenantId }, person.id);
    expect(await files(), 'erased with her').to.have.length(0);
    expect(await env.app.db.selectFrom('mediaChunks').select('seq').execute()).to.have.length(0);
  });

  it('counts a form sent with files towards the posting limit (5 in 10 s), as a post; a plain save does not count', async () => {
    const a = await suite.launch(ada);
    await openModules(a);
    for (let i = 0; i < 5; i++) {
      const sent = await send(a, PRACTICE, { intent: 'draft', evidence: `Draft ${i}`, link: '' }, [{ name: `note-${i}.pdf`, data: pdfOf(500) }]);
      expect(sent.status, sent.body.slice(0, 300)).to.equal(303);
    }
    const sixth = await send(a, PRACTICE, { intent: 'draft', evidence: 'Draft 6', link: '' }, [{ name: 'note-6.pdf', data: pdfOf(500) }]);
    expect(sixth.status).to.equal(429);
    expect((await files()).map((f) => f.fileName)).to.not.include('note-6.pdf');
    expect((await suite.post(a, `${a.base}/${PRACTICE}`, { intent: 'draft', evidence: 'Typed only', link: '' })).status).to.equal(303);
  });
});

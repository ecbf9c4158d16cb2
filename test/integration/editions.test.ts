// Workshop editions over real HTTP and PostgreSQL: a tenant's content editors (the LMS's Content
// Developer or Administrator) edit a draft, publish versions and choose the edition new courses run;
// each cohort keeps the version it started with, and its modules, completion and deep linking follow
// it. Learners, facilitators and other tenants' editors cannot see or change an edition.
import { expect } from 'chai';
import { parse, type HTMLElement } from 'node-html-parser';
import { LtiHttpClient, LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member, type Page } from '../support/cohort-members.ts';
import { unzipEdition, zipEdition } from '../../server/editions/edition-files.ts';
import { formOf } from '../support/html-forms.ts';

const CONTENT_DEVELOPER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper';
const dana: SimUser = { sub: 'dana', name: 'Dana Designer', roles: [CONTENT_DEVELOPER] };
const devi: SimUser = { sub: 'devi', name: 'Devi Designer', roles: [CONTENT_DEVELOPER] };
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const lee: SimUser = { sub: 'lee', name: 'Lee Learner', roles: [ROLES.learner] };
const DAY = 86_400_000;

describe('workshop editions', () => {
  const { env, clock, launch, get, post, csrfOf } = cohortSuite({ context: { id: 'course-ed-1', title: 'Leading Teams spring' } });
  const url = (path: string) => `${env.app.url}${path}`;

  async function createEdition(editor: Member, name: string): Promise<string> {
    const created = await post(editor, url('/editions'), { name, from: 'default' });
    expect(created.status, created.body.slice(0, 400)).to.equal(303);
    return created.location!.split('/')[2]!.split('?')[0]!;
  }
  const moduleUrl = (id: string, n: number) => url(`/editions/${id}/modules/${n}`);
  /** Opens module n's form and saves it with `overrides`. */
  async function saveModule(editor: Member, id: string, n: number, overrides: Record<string, string | null>): Promise<Page> {
    const page = await get(editor, moduleUrl(id, n));
    expect(page.status, page.body.slice(0, 300)).to.equal(200);
    return post(editor, moduleUrl(id, n), { ...formOf(page.doc, '#module-form', overrides), intent: 'save' });
  }
  async function publish(editor: Member, id: string): Promise<Page> {
    const page = await get(editor, url(`/editions/${id}`));
    return post(editor, url(`/editions/${id}/publish`), formOf(page.doc, '#publish'));
  }
  const cohortOf = (m: Member) => env.app.db.selectFrom('cohorts').select(['editionVersionId']).where('id', '=', m.cohortId).executeTakeFirstOrThrow();
  /** A request with the member's cookies whose body or answer is binary (the test client speaks text). */
  async function binary(m: Member, path: string, init: { method?: string; body?: Uint8Array<ArrayBuffer>; headers?: Record<string, string> } = {}) {
    const cookie = await m.browser.jar.getCookieString(url(path));
    const r = await fetch(url(path), { method: init.method ?? 'GET', redirect: 'manual', headers: { cookie, origin: env.app.url, 'sec-fetch-site': 'same-origin', ...init.headers }, ...(init.body ? { body: init.body } : {}) });
    return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
  }
  /** Posts the import form as a browser does: multipart, the CSRF token first, then the zip. */
  async function upload(editor: Member, zip: Buffer, fields: Record<string, string>, withToken = true): Promise<Page> {
    const form = new FormData();
    if (withToken) form.append('_csrf', await csrfOf(editor));
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('zip', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), 'edition.zip');
    const encoded = new Response(form);
    const r = await binary(editor, '/editions/import', { method: 'POST', body: new Uint8Array(await encoded.arrayBuffer()), headers: { 'content-type': encoded.headers.get('content-type')! } });
    const body = r.bytes.toString('utf8');
    return { status: r.status, doc: parse(body), body, location: r.headers.get('location') };
  }
  const exported = async (m: Member, id: string) => {
    const r = await binary(m, `/editions/${id}/export.zip`);
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.equal('application/zip');
    return r.bytes;
  };
  const moduleTitle = async (m: Member, n: number) => (await get(m, `${m.base}/modules/${n}`)).doc.querySelector('h1')?.text.trim();

  it('refuses whoever is not a content editor: no launch 401, a learner and a facilitator 403, and no link on their console', async () => {
    const editor = await launch(dana);
    const id = await createEdition(editor, 'Managers');
    const f = await launch(fran);
    const l = await launch(lee);
    const nobody = { browser: new LtiHttpClient(), base: '', cohortId: '' };
    for (const path of ['/editions', `/editions/${id}`, `/editions/${id}/modules/1`, `/editions/${id}/five-factors`]) {
      expect((await get(nobody, url(path))).status, path).to.equal(401);
      expect((await get(l, url(path))).status, path).to.equal(403);
      const r = await get(f, url(path));
      expect(r.status, path).to.equal(403);
      expect(r.body, path).not.to.contain('Managers');
    }
    for (const [path, form] of [['/editions', { name: 'Sneaky', from: 'default' }], [`/editions/${id}/publish`, { baseRevision: '1' }], [`/editions/${id}/modules/1`, { title: 'Hijacked', baseRevision: '1' }]] as const) {
      expect((await post(l, url(path), form)).status, path).to.equal(403);
      expect((await post(f, url(path), form)).status, path).to.equal(403);
    }
    expect(await env.app.db.selectFrom('editions').select('name').execute()).to.deep.equal([{ name: 'Managers' }]);
    expect((await get(f, `${f.base}/console`)).doc.querySelector('[data-test=editions-link]')).to.equal(null);
    expect((await get(editor, `${editor.base}/console`)).doc.querySelector('[data-test=editions-link] a')?.getAttribute('href')).to.equal('/editions');
  });

  it('edits a draft, previews it, publishes it; a new course runs it, a course that started before keeps the default', async () => {
    const before = await launch(lee);
    const editor = await launch(dana);
    const id = await createEdition(editor, 'Managers');

    const preview = await post(editor, moduleUrl(id, 2), { ...formOf((await get(editor, moduleUrl(id, 2))).doc, '#module-form', { framing: '## Show your work\n\nAt **Acme** we narrate in the team channel.' }), intent: 'preview' });
    expect(preview.status).to.equal(200);
    expect(preview.doc.querySelector('[data-test=preview] h2 + h3')?.text).to.equal('Work out loud');
    expect(preview.doc.querySelector('[data-test=preview] .framing strong')?.text).to.equal('Acme');
    expect(preview.doc.querySelector('#framing')?.text).to.contain('At **Acme**');
    expect(await env.app.db.selectFrom('editionVersions').select('revision').executeTakeFirstOrThrow()).to.deep.equal({ revision: 1 });

    const saved = await saveModule(editor, id, 2, {
      title: 'Narrate your work at Acme',
      reading_0_link: 'https://intranet.acme.example/narrate',
      activity_1_remove: 'on',
      activity_3_kind: 'reflection',
      activity_3_title: 'Our tools',
      activity_3_prompt: 'Which of our tools do you narrate your work in?',
      activity_3_order: '0',
      activity_3_required: 'on',
      doToday: 'Post one work-in-progress note in the team channel',
    });
    expect(saved.status, saved.body.slice(0, 500)).to.equal(303);
    const published = await publish(editor, id);
    expect(published.status, published.body.slice(0, 300)).to.equal(303);
    expect(published.location).to.contain('published=1');
    expect((await post(editor, url('/editions/for-new-cohorts'), { editionId: id })).status).to.equal(303);

    const learner = await launch({ ...lee, sub: 'lee-2' }, { id: 'course-ed-2', title: 'Managers autumn' });
    const v1 = await env.app.db.selectFrom('editionVersions').select(['id', 'number', 'status']).executeTakeFirstOrThrow();
    expect(v1).to.include({ number: 1, status: 'published' });
    expect((await cohortOf(learner)).editionVersionId).to.equal(v1.id);
    expect((await cohortOf(before)).editionVersionId).to.equal(null);

    clock.offsetMs = 8 * DAY;
    const page = await get(learner, `${learner.base}/modules/2`);
    expect(page.doc.querySelector('h1')?.text).to.contain('Narrate your work at Acme');
    expect(page.doc.querySelectorAll('.activity h3, .activity h2').map((h) => h.text.trim())[0]).to.contain('Our tools');
    expect(page.body).not.to.contain('show-your-work-today');
    expect(page.doc.querySelector('.reading a')?.getAttribute('href')).to.equal('https://intranet.acme.example/narrate');
    expect(page.doc.querySelector('[data-test=do-today] li')?.text).to.equal('Post one work-in-progress note in the team channel');
    expect(await moduleTitle(before, 2)).to.contain('Work out loud');
  });

  it('keeps a cohort on the version it started with when a newer one is published', async () => {
    const editor = await launch(dana);
    const id = await createEdition(editor, 'New starters');
    expect((await saveModule(editor, id, 3, { title: 'Seek, sense, share (v1)' })).status).to.equal(303);
    expect((await publish(editor, id)).status).to.equal(303);
    expect((await post(editor, url('/editions/for-new-cohorts'), { editionId: id })).status).to.equal(303);
    const onV1 = await launch(lee, { id: 'course-v1', title: 'Cohort on v1' });

    expect((await saveModule(editor, id, 3, { title: 'Seek, sense, share (v2)' })).status).to.equal(303);
    const p2 = await publish(editor, id);
    expect(p2.location).to.contain('published=2');
    const onV2 = await launch({ ...lee, sub: 'lee-2' }, { id: 'course-v2', title: 'Cohort on v2' });
    clock.offsetMs = 15 * DAY;
    expect(await moduleTitle(onV1, 3)).to.contain('(v1)');
    expect(await moduleTitle(onV2, 3)).to.contain('(v2)');
    // a later launch into the v1 course does not move it
    await launch(lee, { id: 'course-v1', title: 'Cohort on v1' });
    expect(await moduleTitle(onV1, 3)).to.contain('(v1)');
    expect((await env.app.db.selectFrom('editionVersions').select(['number', 'status']).orderBy('number').execute()).map((v) => `${v.number} ${v.status}`)).to.deep.equal(['1 published', '2 published']);
  });

  it('completes a module by the edition’s required activities', async () => {
    const editor = await launch(dana);
    const id = await createEdition(editor, 'Managers');
    // module 2: the optional reflection becomes required, the required practice goes
    expect((await saveModule(editor, id, 2, { activity_1_remove: 'on', activity_2_required: 'on' })).status).to.equal(303);
    expect((await publish(editor, id)).status).to.equal(303);
    expect((await post(editor, url('/editions/for-new-cohorts'), { editionId: id })).status).to.equal(303);
    const onEdition = await launch(lee, { id: 'course-edition', title: 'On the edition' });
    const onDefault = await launch({ ...lee, sub: 'lee-default' }, { id: 'course-default', title: 'On the default' }, undefined, undefined);
    await env.app.db.updateTable('cohorts').set({ editionVersionId: null }).where('id', '=', onDefault.cohortId).execute();
    clock.offsetMs = 8 * DAY;
    const text = 'I held back because I worried the draft was not ready; I shared it anyway and got help.';
    for (const m of [onEdition, onDefault]) {
      const r = await post(m, `${m.base}/modules/2/activities/what-held-you-back`, { intent: 'submit', text });
      expect(r.status, r.body.slice(0, 300)).to.equal(303);
    }
    const completed = await env.app.db.selectFrom('moduleCompletions').select(['cohortId', 'moduleId']).execute();
    expect(completed).to.deep.equal([{ cohortId: onEdition.cohortId, moduleId: 2 }]);
    // the practice the edition removed is not there to answer
    expect((await post(onEdition, `${onEdition.base}/modules/2/activities/show-your-work-today`, { intent: 'draft', evidence: 'x' })).status).to.equal(404);
  });

  it('refuses a save made on top of a draft someone else saved (409), showing both versions and keeping what was typed', async () => {
    const a = await launch(dana);
    const b = await launch(devi);
    const id = await createEdition(a, 'Managers');
    const formA = formOf((await get(a, moduleUrl(id, 4))).doc, '#module-form');
    const formB = formOf((await get(b, moduleUrl(id, 4))).doc, '#module-form');
    expect((await post(a, moduleUrl(id, 4), { ...formA, title: 'Dana’s title', intent: 'save' })).status).to.equal(303);
    const late = await post(b, moduleUrl(id, 4), { ...formB, title: 'Devi’s title, typed carefully', intent: 'save' });
    expect(late.status).to.equal(409);
    expect(late.doc.querySelector('[data-test=module-error]')?.text).to.contain('Someone else saved this edition');
    expect(late.doc.querySelector('[data-test=their-version] h3')?.text).to.equal('Dana’s title');
    expect(late.doc.querySelector('#title')?.getAttribute('value')).to.equal('Devi’s title, typed carefully');
    expect(late.doc.querySelector('input[name=baseRevision]')?.getAttribute('value')).to.equal('2');
    const draft = await env.app.db.selectFrom('editionVersions').select(['revision', 'content']).executeTakeFirstOrThrow();
    expect(draft.revision).to.equal(2);
    expect((draft.content as { modules: Array<{ title: string }> }).modules[3]!.title).to.equal('Dana’s title');
    // saving again from the refreshed form goes through
    expect((await post(b, moduleUrl(id, 4), { ...formOf(late.doc, '#module-form'), intent: 'save' })).status).to.equal(303);
    // publishing from a page opened before a save is refused too
    const stale = await get(a, url(`/editions/${id}`));
    expect((await post(b, moduleUrl(id, 4), { ...formOf((await get(b, moduleUrl(id, 4))).doc, '#module-form'), summary: 'Changed again', intent: 'save' })).status).to.equal(303);
    expect((await post(a, url(`/editions/${id}/publish`), formOf(stale.doc, '#publish'))).status).to.equal(409);
    expect(await env.app.db.selectFrom('editionVersions').select('status').execute()).to.deep.equal([{ status: 'draft' }]);
  });

  it('answers invalid edits with 400 and a message per field, keeping what was typed and saving nothing', async () => {
    const editor = await launch(dana);
    const id = await createEdition(editor, 'Managers');
    const cases: Array<[Record<string, string | null>, string, string]> = [
      [{ title: '  ' }, '#title-error', 'cannot be empty'],
      [{ reading_0_link: 'javascript:alert(1)' }, '#reading_0_link-error', 'http://'],
      [{ activity_0_remove: 'on', activity_1_remove: 'on', activity_2_remove: 'on' }, '#activities-error', 'at least one activity'],
      [{ activity_0_prompt: '' }, '#activity_0_prompt-error', 'cannot be empty'],
      [{ minutes: '0' }, '#minutes-error', '5 to 240'],
    ];
    for (const [overrides, selector, message] of cases) {
      const r = await saveModule(editor, id, 2, overrides);
      expect(r.status, JSON.stringify(overrides)).to.equal(400);
      expect(r.doc.querySelector(selector)?.text, JSON.stringify(overrides)).to.contain(message);
      expect(r.doc.querySelector('[data-test=error-summary]'), 'error summary').to.not.equal(null);
    }
    // a five-factor check outside modules 1 and 9: the whole edition's rule
    const ffc = await saveModule(editor, id, 2, { activity_0_kind: 'five-factor-check' });
    expect(ffc.status).to.equal(400);
    expect(ffc.doc.querySelector('[data-test=module-error]')?.text).to.contain('only allowed in modules 1 and 9');
    expect(await env.app.db.selectFrom('editionVersions').select('revision').execute()).to.deep.equal([{ revision: 1 }]);
    expect((await post(editor, url('/editions'), { name: ' ', from: 'default' })).status).to.equal(400);
    expect((await post(editor, url('/editions'), { name: 'managers', from: 'default' })).status).to.equal(400);
    expect((await post(editor, url('/editions'), { name: 'Other', from: 'not-an-id' })).status).to.equal(400);
    // an edition with no published version cannot be the one new courses run
    expect((await post(editor, url('/editions/for-new-cohorts'), { editionId: id })).status).to.equal(400);
  });

  it('never shows or changes one tenant’s edition for another tenant’s editor', async () => {
    const ours = await launch(dana);
    const id = await createEdition(ours, 'Acme managers');
    expect((await publish(ours, id)).status).to.equal(303);
    const sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
    try {
      const lms2 = await connectPlatform(env.app, sim2);
      const theirs = await launch({ ...dana, sub: 'dana-2' }, { id: 'course-other', title: 'Other tenant' }, lms2);
      const list = await get(theirs, url('/editions'));
      expect(list.status).to.equal(200);
      expect(list.body).not.to.contain('Acme managers');
      for (const path of [`/editions/${id}`, `/editions/${id}/modules/2`, `/editions/${id}/five-factors`]) expect((await get(theirs, url(path))).status, path).to.equal(404);
      expect((await post(theirs, url(`/editions/${id}/modules/2`), { title: 'Hijacked', baseRevision: '0', intent: 'save' })).status).to.equal(404);
      expect((await post(theirs, url('/editions/for-new-cohorts'), { editionId: id })).status).to.equal(404);
      expect((await post(theirs, url('/editions'), { name: 'Copy', from: id })).status).to.equal(400);
      // their new course runs the default edition, not ours
      const learner = await launch(lee, { id: 'course-other-2', title: 'Other tenant 2' }, lms2);
      expect((await cohortOf(learner)).editionVersionId).to.equal(null);
    } finally {
      await sim2.close();
    }
  });

  it('lets an editor reword the five factors, shown on the check of a course running the edition', async () => {
    const editor = await launch(dana);
    const id = await createEdition(editor, 'Managers');
    const page = await get(editor, url(`/editions/${id}/five-factors`));
    const saved = await post(editor, url(`/editions/${id}/five-factors`), formOf(page.doc, '#five-factors-form', { intention_label: 'Purpose' }));
    expect(saved.status, saved.body.slice(0, 300)).to.equal(303);
    const empty = await post(editor, url(`/editions/${id}/five-factors`), formOf(page.doc, '#five-factors-form', { intention_label: '', baseRevision: '2' }));
    expect(empty.status).to.equal(400);
    expect((await publish(editor, id)).status).to.equal(303);
    expect((await post(editor, url('/editions/for-new-cohorts'), { editionId: id })).status).to.equal(303);
    const learner = await launch(lee, { id: 'course-ff', title: 'Five factors' });
    const check = await get(learner, `${learner.base}/modules/1`);
    expect(check.body).to.contain('Purpose');
  });
  it('moves a cohort to a newer version after a preview that warns where learners answered an activity that goes; their answers stay readable', async () => {
    const editor = await launch(dana);
    const id = await createEdition(editor, 'Managers');
    expect((await publish(editor, id)).status).to.equal(303);
    expect((await post(editor, url('/editions/for-new-cohorts'), { editionId: id })).status).to.equal(303);
    const learner = await launch(lee, { id: 'course-move', title: 'Moving cohort' });
    const f = await launch(fran, { id: 'course-move', title: 'Moving cohort' });
    clock.offsetMs = 8 * DAY;
    const text = 'What held me back was waiting for the draft to be perfect before I shared it with anyone.';
    expect((await post(learner, `${learner.base}/modules/2/activities/what-held-you-back`, { intent: 'submit', text })).status).to.equal(303);
    // v2: module 2 renamed, the reflection the learner answered removed
    expect((await saveModule(editor, id, 2, { title: 'Narrate your work', activity_2_remove: 'on' })).status).to.equal(303);
    expect((await publish(editor, id)).status).to.equal(303);
    const v2 = await env.app.db.selectFrom('editionVersions').select('id').where('number', '=', 2).executeTakeFirstOrThrow();

    expect((await get(learner, `${learner.base}/console/edition`)).status).to.equal(403);
    const page = await get(f, `${f.base}/console/edition`);
    expect(page.doc.querySelector('[data-test=current-edition]')?.text).to.contain('Managers, version 1');
    const preview = await get(f, `${f.base}/console/edition?to=${v2.id}`);
    expect(preview.status).to.equal(200);
    const change = preview.doc.querySelector('[data-test=module-change]')!;
    expect(change.text).to.contain('Narrate your work').and.contain('was “Work out loud”');
    expect(preview.doc.querySelector('[data-test=answered-going]')?.text).to.contain('1 learner already answered it');
    expect((await cohortOf(learner)).editionVersionId, 'a preview moves nothing').to.not.equal(v2.id);

    expect((await post(learner, `${learner.base}/console/edition`, { versionId: v2.id })).status).to.equal(403);
    const moved = await post(f, `${f.base}/console/edition`, { versionId: v2.id });
    expect(moved.status).to.equal(303);
    expect((await cohortOf(learner)).editionVersionId).to.equal(v2.id);
    const after = await get(learner, `${learner.base}/modules/2`);
    expect(after.doc.querySelector('h1')?.text).to.contain('Narrate your work');
    expect(after.doc.querySelector('[data-test=earlier-answers]')?.text).to.contain(text);
    expect(await env.app.db.selectFrom('activityResponses').select('activityId').execute()).to.deep.equal([{ activityId: 'what-held-you-back' }]);
    // nothing newer to move to now; moving back is not offered
    const v1 = await env.app.db.selectFrom('editionVersions').select('id').where('number', '=', 1).executeTakeFirstOrThrow();
    expect((await get(f, `${f.base}/console/edition`)).doc.querySelector('[data-test=no-newer]')).to.not.equal(null);
    expect((await post(f, `${f.base}/console/edition`, { versionId: v1.id })).status).to.equal(400);
  });

  it('offers deep linking the modules of the course’s edition', async () => {
    const editor = await launch(dana);
    const id = await createEdition(editor, 'Managers');
    expect((await saveModule(editor, id, 5, { title: 'Learning with others at Acme' })).status).to.equal(303);
    expect((await publish(editor, id)).status).to.equal(303);
    expect((await post(editor, url('/editions/for-new-cohorts'), { editionId: id })).status).to.equal(303);
    // the course's first launch is the teacher's "Select content": the cohort starts on the edition there
    const res = await env.lms.sim.launch(env.app.url, new LtiHttpClient(), { user: fran, clientId: env.lms.clientId, messageType: 'LtiDeepLinkingRequest', context: { id: 'course-dl', title: 'Deep linked' } });
    expect(res.status, res.body.slice(0, 300)).to.equal(200);
    const titles = parse(res.body).querySelectorAll('[data-test=option]').map((o) => o.text.replace(/\s+/g, ' ').trim());
    expect(titles.some((t) => t.includes('Module 5: Learning with others at Acme'))).to.equal(true);
  });
  it('exports an edition as a zip of Markdown in content/’s format, and imports it back equal', async () => {
    const editor = await launch(dana);
    const id = await createEdition(editor, 'Acme managers');
    expect((await saveModule(editor, id, 2, { title: 'Narrate your work: “out loud”', reading_0_link: 'https://intranet.acme.example/a?b=1&c=2', doToday: 'One\nTwo: with a colon' })).status).to.equal(303);
    const zip = await exported(editor, id);
    const files = await unzipEdition(zip);
    expect(files.map((f) => f.name).sort()).to.include('acme-managers/modules/01-learning-in-the-flow-of-work.md').and.include('acme-managers/five-factors.yaml');
    // the default edition's files load with the content/ loader's own rules
    const m3 = files.find((f) => f.name.endsWith('03-seek-sense-share.md'))!;
    expect(m3.text).to.match(/^---\nid: 3\nslug: seek-sense-share\n/);

    const imported = await upload(editor, zip, { importName: 'Acme managers (copy)' });
    expect(imported.status, imported.body.slice(0, 400)).to.equal(303);
    const rows = await env.app.db.selectFrom('editions as e').innerJoin('editionVersions as v', 'v.editionId', 'e.id').select(['e.name', 'v.content']).orderBy('e.name').execute();
    expect(rows.map((x) => x.name)).to.deep.equal(['Acme managers', 'Acme managers (copy)']);
    expect(rows[1]!.content).to.deep.equal(rows[0]!.content);
    // named from its edition.yaml when no name is typed; that name is taken, so a clear 400
    const again = await upload(editor, zip, {});
    expect(again.status).to.equal(400);
    expect(again.doc.querySelector('#importName-error')?.text).to.contain('already has an edition of that name');
  });

  it('refuses an upload that is not an edition with a 400 naming the problem, and an upload without a CSRF token', async () => {
    const editor = await launch(dana);
    const notZip = await upload(editor, Buffer.from('not a zip at all'), { importName: 'X' });
    expect(notZip.status).to.equal(400);
    expect(notZip.doc.querySelector('[data-test=import-error]')?.text).to.contain('not a zip');
    const id = await createEdition(editor, 'Base');
    const files = (await unzipEdition(await exported(editor, id))).map((f) =>
      f.name.endsWith('02-work-out-loud.md') ? { ...f, text: f.text.replace(/^title: .*$/m, 'title: ""') } : f,
    );
    const bad = await upload(editor, await zipEdition('bad', files.map((f) => ({ ...f, name: f.name.replace(/^base\//, '') }))), { importName: 'Bad' });
    expect(bad.status).to.equal(400);
    expect(bad.doc.querySelector('[data-test=import-error]')?.text).to.contain('modules/02-work-out-loud.md').and.contain('title');
    // Past the size an edition can have: refused by the upload reader before it is read whole.
    const huge = await upload(editor, Buffer.alloc(2 * 1024 * 1024 + 1), { importName: 'Huge' });
    expect(huge.status).to.equal(400);
    expect(huge.doc.querySelector('#zip-error')?.text).to.contain('at most 2 MB');
    expect(huge.doc.querySelector('input[name=importName]')?.getAttribute('value')).to.equal('Huge');
    const noToken = await upload(editor, await zipEdition('x', []), { importName: 'Y' }, false);
    expect(noToken.status).to.equal(403);
    expect(await env.app.db.selectFrom('editions').select('name').execute()).to.deep.equal([{ name: 'Base' }]);
  });

  describe('in a language', () => {
    async function launchIn(user: SimUser, context: { id: string; title: string }, locale: string): Promise<Member> {
      const browser = new LtiHttpClient();
      const res = await env.sim.launch(env.app.url, browser, { user, clientId: env.lms.clientId, context, locale });
      const cohortId = new URL(res.finalUrl).pathname.split('/')[2]!;
      return { browser, cohortId, base: `${env.app.url}/cohorts/${cohortId}` };
    }
    const languageOf = async (m: Member) => (await env.app.db.selectFrom('cohorts').select(['language', 'editionVersionId']).where('id', '=', m.cohortId).executeTakeFirstOrThrow());

    it('starts an edition from the default edition in the chosen language, and new courses in that language run it', async () => {
      const editor = await launch(dana);
      const created = await post(editor, url('/editions'), { name: 'Gestionnaires', from: 'default', language: 'fr' });
      expect(created.status).to.equal(303);
      const id = created.location!.split('/')[2]!.split('?')[0]!;
      expect((await env.app.db.selectFrom('editions').select('language').where('id', '=', id).executeTakeFirstOrThrow()).language).to.equal('fr');
      expect((await get(editor, moduleUrl(id, 1))).doc.querySelector('#module-form input[name=title]')?.getAttribute('value')).to.equal('Apprendre au fil du travail');
      expect((await publish(editor, id)).status).to.equal(303);
      expect((await post(editor, url('/editions/for-new-cohorts'), { editionId: id, language: 'fr' })).status).to.equal(303);
      const french = await launchIn(lee, { id: 'course-fr', title: 'Cours' }, 'fr');
      const english = await launchIn(lee, { id: 'course-en', title: 'Course' }, 'en');
      const v1 = await env.app.db.selectFrom('editionVersions').select('id').where('editionId', '=', id).where('status', '=', 'published').executeTakeFirstOrThrow();
      expect(await languageOf(french)).to.deep.equal({ language: 'fr', editionVersionId: v1.id });
      expect(await languageOf(english)).to.deep.equal({ language: 'en', editionVersionId: null });
      // The English choice is still the default edition: choosing the French one did not touch it.
      const list = await get(editor, url('/editions'));
      expect(list.doc.querySelector('[data-test=for-new-cohorts-form][data-language=en] option[selected]')?.getAttribute('value')).to.equal('default');
      expect(list.doc.querySelector('[data-test=for-new-cohorts-form][data-language=fr] option[selected]')?.getAttribute('value')).to.equal(id);
    });

    it('keeps an edition’s language through export and import, and a cohort moved to it takes its language', async () => {
      const editor = await launch(dana);
      const created = await post(editor, url('/editions'), { name: 'Equipos', from: 'default', language: 'es' });
      const id = created.location!.split('/')[2]!.split('?')[0]!;
      const zip = await binary(editor, `/editions/${id}/export.zip`);
      const yaml = (await unzipEdition(zip.bytes)).find((f) => f.name.endsWith('edition.yaml'))!.text;
      expect(yaml).to.contain('language: es');
      const imported = await upload(editor, zip.bytes, { importName: 'Equipos 2' });
      expect(imported.status, imported.body.slice(0, 300)).to.equal(303);
      expect((await env.app.db.selectFrom('editions').select('language').where('name', '=', 'Equipos 2').executeTakeFirstOrThrow()).language).to.equal('es');
      await publish(editor, id);
      const facilitator = await launch(fran);
      expect((await languageOf(facilitator)).language).to.equal('en');
      const v1 = await env.app.db.selectFrom('editionVersions').select('id').where('editionId', '=', id).where('status', '=', 'published').executeTakeFirstOrThrow();
      const moved = await post(facilitator, `${facilitator.base}/console/edition`, { versionId: v1.id });
      expect(moved.status, moved.body.slice(0, 300)).to.equal(303);
      expect(await languageOf(facilitator)).to.deep.equal({ language: 'es', editionVersionId: v1.id });
    });

    it('refuses a language we do not write the workshop in (400), and changes nothing', async () => {
      const editor = await launch(dana);
      expect((await post(editor, url('/editions'), { name: 'X', from: 'default', language: 'xx' })).status).to.equal(400);
      expect((await post(editor, url('/editions/for-new-cohorts'), { editionId: 'default', language: 'xx' })).status).to.equal(400);
      expect(await env.app.db.selectFrom('editions').selectAll().execute()).to.deep.equal([]);
    });
  });
});

// Profile photos over real HTTP: a person uploads a photo on their own profile page (cut square,
// re-encoded, EXIF and GPS gone); it replaces the old one, whose bytes are deleted; it shows beside
// their posts and in the member strip for another member; it is served only to members of a cohort
// the person is in (another cohort of the tenant, another tenant, no session: 404/401); removing it
// asks first, then brings the initials back and deletes the bytes.
import { expect } from 'chai';
import sharp from 'sharp';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { download, postMultipart } from '../support/media-requests.ts';
import { pdfOf, phonePhoto } from '../support/media-fixtures.ts';
import { deleteAbandonedAttachments } from '../../models/media.queries.ts';

const ada = { sub: 'ada', name: 'Ada Lovelace', roles: [ROLES.learner] };
const bo = { sub: 'bo', name: 'Bo Brown', roles: [ROLES.learner] };
const cy = { sub: 'cy', name: 'Cy Young', roles: [ROLES.learner] };
const fran = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const COURSE = { id: 'course-photos', title: 'Photos' };
const OTHER = { id: 'course-photos-other', title: 'Other' };

describe('profile photos', () => {
  const suite = cohortSuite({ context: COURSE });
  const { env } = suite;
  const url = (path: string) => new URL(path, env.app.url).href;
  let sim2: LtiPlatformSimulator;
  before(async () => {
    sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
  });
  after(() => sim2.close());

  const uploadPhoto = async (m: Member, data: Buffer, name = 'IMG_0001.JPG') => postMultipart(m, `${m.base}/profile/photo`, {}, [{ name, data, type: 'image/jpeg' }], await suite.csrfOf(m));
  const photoRows = () => env.app.db.selectFrom('attachments').select(['id', 'photoOf', 'draftTarget', 'contentHash']).execute();
  const chunksOf = async (id: string) => (await env.app.db.selectFrom('mediaChunks').select('seq').where('attachmentId', '=', id).execute()).length;
  const ownPhotoSrc = async (m: Member) => (await suite.get(m, `${m.base}/profile`)).doc.querySelector('[data-test=profile-photo] img.avatar')?.getAttribute('src');

  it('takes a photo on the own profile page: square 256 px WebP without EXIF, shown beside posts and in the thread list', async () => {
    const a = await suite.launch(ada);
    const b = await suite.launch(bo);
    const photo = await phonePhoto();
    const sent = await uploadPhoto(a, photo);
    expect(sent.status, sent.body.slice(0, 300)).to.equal(303);
    expect(sent.location).to.equal(`/cohorts/${a.cohortId}/profile?saved=photo#photo`);
    const page = await suite.get(a, `${a.base}/profile?saved=photo`);
    expect(page.doc.querySelector('[data-test=photo-saved]')).to.not.equal(null);
    const src = page.doc.querySelector('[data-test=profile-photo] img.avatar')!.getAttribute('src')!;
    const full = await download(a, url(src));
    expect(full.status).to.equal(200);
    expect(full.headers.get('content-type')).to.equal('image/webp');
    expect(full.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(full.headers.get('cache-control')).to.equal('private, max-age=31536000, immutable');
    const meta = await sharp(full.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).to.deep.equal(['webp', 256, 256]);
    expect(meta.exif).to.equal(undefined);
    expect(full.bytes.includes('Ada secret camera')).to.equal(false);

    // Beside Ada's post, on Bo's screen; and in the thread list.
    const space = await suite.follow(a, `${a.base}/commons`);
    const posted = await postMultipart(a, `${space}/threads`, { title: 'Hello', body: 'My first post' }, [], await suite.csrfOf(a));
    expect(posted.status, posted.body.slice(0, 300)).to.equal(303);
    const thread = await suite.get(b, url(posted.location!));
    const face = thread.doc.querySelector('[data-test=post] header img.avatar');
    expect(face, 'the photo beside the post').to.not.equal(null);
    const thumb = await download(b, url(face!.getAttribute('src')!));
    expect(thumb.status).to.equal(200);
    expect([(await sharp(thumb.bytes).metadata()).width, (await sharp(thumb.bytes).metadata()).height]).to.deep.equal([96, 96]);
    const list = await suite.get(b, space);
    expect(list.doc.querySelector('img.avatar')?.getAttribute('src')).to.equal(face!.getAttribute('src'));
    // Bo has no photo: his initials.
    const boReply = await postMultipart(b, `${url(posted.location!).split('#')[0]}/posts`, { body: 'Welcome' }, [], await suite.csrfOf(b));
    expect(boReply.status, boReply.body.slice(0, 300)).to.equal(303);
    const again = await suite.get(a, url(posted.location!));
    const heads = again.doc.querySelectorAll('[data-test=post] header');
    expect(heads.map((h) => h.querySelector('.avatar')!.tagName.toLowerCase())).to.deep.equal(['img', 'span']);
    expect(heads[1]!.querySelector('.avatar')!.text).to.equal('BB');
  });

  it('replaces the old photo and deletes its bytes; refuses a file that is not a picture and keeps the photo', async () => {
    const a = await suite.launch(ada);
    expect((await uploadPhoto(a, await phonePhoto())).status).to.equal(303);
    const [first] = await photoRows();
    expect(first!.photoOf).to.be.a('string');
    expect(await chunksOf(first!.id)).to.be.greaterThan(0);
    const second = await sharp({ create: { width: 300, height: 900, channels: 3, background: '#a33' } }).png().toBuffer();
    expect((await uploadPhoto(a, second, 'tall.png')).status).to.equal(303);
    const rows = await photoRows();
    expect(rows, 'one photo, the new one').to.have.length(1);
    expect(rows[0]!.id).to.not.equal(first!.id);
    expect(await chunksOf(first!.id), 'the old bytes').to.equal(0);
    expect(await env.app.db.selectFrom('mediaDeletions').select('attachmentId').where('attachmentId', '=', first!.id).execute(), 'queued for an object store').to.have.length(1);

    const refused = await uploadPhoto(a, pdfOf(2000), 'me.jpg');
    expect(refused.status).to.equal(415);
    expect(refused.body).to.contain('me.jpg');
    expect(await photoRows(), 'the photo stays, nothing else is kept').to.have.length(1);
  });

  it('serves a photo only to members of a cohort its person is in', async () => {
    const a = await suite.launch(ada);
    const b = await suite.launch(bo);
    const f = await suite.launch(fran);
    expect((await uploadPhoto(a, await phonePhoto())).status).to.equal(303);
    const [photo] = await photoRows();
    const path = (m: Member) => `${m.base}/media/${photo!.id}/thumb`;
    // Ada is also in OTHER (launched there in the same browser): its members see her photo too.
    const aOther = await suite.launch(ada, OTHER, undefined, a.browser);
    const cyOther = await suite.launch(cy, OTHER);
    const notWithAda = await suite.launch(cy, { id: 'course-photos-third', title: 'Third' });
    const lms2 = await connectPlatform(env.app, sim2);
    const otherTenant = await suite.launch(bo, COURSE, lms2);
    for (const [who, m] of [['Ada', a], ['a member', b], ['the facilitator', f], ['Ada in her other cohort', aOther], ['a member of her other cohort', cyOther]] as const) {
      expect((await download(m, url(path(m)))).status, who).to.equal(200);
    }
    for (const [who, m] of [['a cohort she is not in', notWithAda], ['another tenant, same context id', otherTenant]] as const) {
      expect((await download(m, url(path(m)))).status, `${who}, own cohort`).to.equal(404);
      expect((await download(m, url(path(a)))).status, `${who}, her cohort`).to.be.oneOf([401, 404]);
    }
    expect((await download(undefined, url(path(a)))).status, 'no session').to.be.oneOf([401, 404]);
  });

  it('removes the photo after asking, and the initials come back', async () => {
    const a = await suite.launch(ada);
    expect((await uploadPhoto(a, await phonePhoto())).status).to.equal(303);
    const [photo] = await photoRows();
    const ask = await suite.post(a, `${a.base}/profile/photo/remove`, {});
    expect(ask.status).to.equal(200);
    expect(ask.doc.querySelector('[data-test=confirm] h1')?.text).to.equal('Remove your photo?');
    expect(await photoRows(), 'nothing removed before the confirmation').to.have.length(1);
    const done = await suite.post(a, `${a.base}/profile/photo/remove`, { confirmed: 'yes' });
    expect(done.status).to.equal(303);
    expect(await photoRows()).to.have.length(0);
    expect(await chunksOf(photo!.id)).to.equal(0);
    expect(await ownPhotoSrc(a)).to.equal(undefined);
    const page = await suite.get(a, `${a.base}/profile?saved=photo-removed`);
    expect(page.doc.querySelector('[data-test=profile-photo] span.avatar')?.text).to.equal('AL');
    expect((await download(a, url(`${a.base}/media/${photo!.id}/full`))).status).to.equal(404);
  });

  it('shows the photo on the person page, in the expert finder (this cohort’s people only), the member strip and the facilitator’s groups page', async () => {
    const a = await suite.launch(ada);
    const b = await suite.launch(bo);
    const f = await suite.launch(fran);
    for (let i = 1; i <= 3; i++) await suite.launch({ sub: `l${i}`, name: `Lee ${i}`, roles: [ROLES.learner] });
    const cyOther = await suite.launch(cy, OTHER);
    for (const m of [a, cyOther]) {
      expect((await uploadPhoto(m, await phonePhoto())).status).to.equal(303);
      expect((await suite.post(m, `${m.base}/profile`, { skills: 'negotiation', interests: '', canHelpWith: '', searchAllCohorts: 'on' })).status).to.equal(303);
    }
    const adaId = (await env.app.db.selectFrom('persons').select('id').where('sub', '=', ada.sub).executeTakeFirstOrThrow()).id;
    const person = await suite.get(b, `${b.base}/people/${adaId}`);
    const big = person.doc.querySelector('[data-test=person-profile] img.avatar');
    expect(big, 'on her page').to.not.equal(null);
    expect((await download(b, url(big!.getAttribute('src')!))).status).to.equal(200);

    const found = await suite.get(b, `${b.base}/experts?q=negotiation`);
    const face = (name: string) => found.doc.querySelectorAll('[data-test=expert]').find((e) => e.querySelector('[data-test=expert-name]')!.text === name)!.querySelector('.avatar')!;
    expect(face('Ada Lovelace').tagName.toLowerCase(), 'of this cohort: her photo').to.equal('img');
    expect((await download(b, url(face('Ada Lovelace').getAttribute('src')!))).status).to.equal(200);
    expect(face('Cy Young').tagName.toLowerCase(), 'of another cohort: initials, as the photo route would refuse').to.equal('span');

    await suite.formGroups(f);
    // The member strip of her group's space.
    const strip = await suite.get(a, await suite.follow(a, `${a.base}/modules/1/space`));
    const me = strip.doc.querySelectorAll('[data-test=strip-member]').find((li) => li.text.includes('Ada Lovelace'))!;
    expect(me.querySelector('img.avatar'), 'in the member strip').to.not.equal(null);
    const groups = await suite.get(f, `${f.base}/console/groups`);
    const adaRow = groups.doc.querySelectorAll('[data-test=group-member]').find((li) => li.text.includes('Ada Lovelace'))!;
    expect(adaRow.querySelector('img.avatar'), 'on the groups page').to.not.equal(null);
    expect(groups.doc.querySelectorAll('[data-test=group-member] img.avatar'), 'only Ada has one').to.have.length(1);
  });

  it('is never taken for an abandoned upload by housekeeping, which still deletes pending files nobody posted', async () => {
    const a = await suite.launch(ada);
    expect((await uploadPhoto(a, await phonePhoto())).status).to.equal(303);
    const space = await suite.follow(a, `${a.base}/commons`);
    const pending = await postMultipart(a, `${a.base}/media?target=space:${space.split('/').pop()}`, {}, [{ name: 'draft.pdf', data: pdfOf(1000) }], await suite.csrfOf(a));
    expect(pending.status, pending.body.slice(0, 200)).to.equal(201);
    const later = new Date(Date.now() + 30 * 24 * 3600_000);
    expect(await deleteAbandonedAttachments(env.app.db, later, later)).to.equal(1);
    const left = await photoRows();
    expect(left, 'the photo stays').to.have.length(1);
    expect(left[0]!.photoOf).to.be.a('string');
  });

  it('refuses a photo without a CSRF token, storing nothing', async () => {
    const a = await suite.launch(ada);
    const sent = await postMultipart(a, `${a.base}/profile/photo`, {}, [{ name: 'x.jpg', data: await phonePhoto() }], null);
    expect(sent.status).to.equal(403);
    expect(await photoRows()).to.have.length(0);
  });
});

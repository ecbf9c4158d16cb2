// Files in posts over real HTTP: a picture attached to a new thread (re-encoded: EXIF and GPS gone)
// and seen by another member; types decided by the bytes, not the name or the browser's claim;
// caps answered with a 413 page that keeps the text; range requests; a draft keeps its files; no
// file stored without a CSRF token; the S3 store behind the same routes.
import http from 'node:http';
import { expect } from 'chai';
import { waitFor } from '../support/wait.ts';
import { parse } from 'node-html-parser';
import sharp from 'sharp';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { download, postMultipart } from '../support/media-requests.ts';
import { mp4Of, pdfOf, phonePhoto } from '../support/media-fixtures.ts';
import { startTestS3, type TestS3 } from '../support/s3-server.ts';
import { startTestApp } from '../support/test-app.ts';
import { connectPlatform } from '../support/lti-fixtures.ts';
import { cohortMembers } from '../support/cohort-members.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';

const ada = { sub: 'ada', name: 'Ada Lovelace', roles: [ROLES.learner] };
const bo = { sub: 'bo', name: 'Bo Brown', roles: [ROLES.learner] };

async function commonsOf(suite: ReturnType<typeof cohortSuite>, m: Member): Promise<string> {
  return suite.follow(m, `${m.base}/commons`);
}

describe('files in posts', () => {
  const suite = cohortSuite({ context: { id: 'course-media', title: 'Media' }, env: { MEDIA_DOCUMENT_MAX_MB: '1', MEDIA_VIDEO_MAX_MB: '2', MEDIA_QUOTA_PERSON_MB: '1.5' } });
  const { env } = suite;
  const url = (path: string) => new URL(path, env.app.url).href;

  async function startThreadWith(m: Member, files: Parameters<typeof postMultipart>[3], fields: Record<string, string> = {}) {
    const space = await commonsOf(suite, m);
    return postMultipart(m, `${space}/threads`, { title: 'Show and tell', body: 'What I made this week', ...fields }, files, await suite.csrfOf(m));
  }

  it('shows a photo attached to a new thread to another member, re-encoded without its EXIF and GPS', async () => {
    const a = await suite.launch(ada);
    const b = await suite.launch(bo);
    const photo = await phonePhoto();
    expect(photo.includes('Ada secret camera')).to.equal(true);
    const posted = await startThreadWith(a, [{ name: 'IMG_0042.JPG', data: photo, type: 'image/jpeg' }]);
    expect(posted.status, posted.body.slice(0, 400)).to.equal(303);

    const page = await suite.get(b, url(posted.location!));
    const img = page.doc.querySelector('[data-test=attachment] img');
    expect(img, 'the thumbnail in the post').to.not.equal(null);
    expect(img!.getAttribute('alt')).to.equal('IMG_0042.JPG');
    const thumb = await download(b, url(img!.getAttribute('src')!));
    expect(thumb.status).to.equal(200);
    expect(thumb.headers.get('content-type')).to.equal('image/webp');
    expect(thumb.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(thumb.headers.get('content-disposition')).to.match(/^inline; filename="IMG_0042.JPG"/);
    expect(thumb.headers.get('cache-control')).to.equal('private, max-age=31536000, immutable');
    const full = await download(b, url(img!.parentNode!.getAttribute('href')!));
    expect(full.status).to.equal(200);
    for (const [variant, bytes, longest] of [['thumb', thumb.bytes, 480], ['full', full.bytes, 1600]] as const) {
      const meta = await sharp(bytes).metadata();
      expect(meta.format, variant).to.equal('webp');
      expect(Math.max(meta.width!, meta.height!), variant).to.equal(longest);
      expect(meta.exif, `${variant} has no EXIF`).to.equal(undefined);
      expect(bytes.includes('Ada secret camera'), variant).to.equal(false);
    }
    // Seen once, the browser revalidates with its ETag (as a reload does: max-age=0; fetch would say no-cache): nothing is sent.
    const again = await download(b, url(img!.getAttribute('src')!), { 'if-none-match': thumb.headers.get('etag')!, 'cache-control': 'max-age=0' });
    expect(again.status).to.equal(304);
  });

  it('decides a file’s type from its bytes: HTML named photo.jpg is refused, a PDF named notes.txt is served as a PDF download', async () => {
    const a = await suite.launch(ada);
    const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
    const refused = await startThreadWith(a, [{ name: 'photo.jpg', data: html, type: 'image/jpeg' }], { body: 'Text I typed before the bad file' });
    expect(refused.status).to.equal(415);
    const form = parse(refused.body);
    expect(form.querySelector('[data-test=post-error]')?.text).to.contain('photo.jpg');
    expect(form.querySelector('textarea[name=body]')?.text).to.equal('Text I typed before the bad file');
    expect(await env.app.db.selectFrom('attachments').select('id').execute()).to.have.length(0);

    const posted = await startThreadWith(a, [{ name: 'notes.txt', data: pdfOf(2000), type: 'text/plain' }]);
    expect(posted.status, posted.body.slice(0, 400)).to.equal(303);
    const link = (await suite.get(a, url(posted.location!))).doc.querySelector('[data-test=attachment-link]')!;
    expect(link.text).to.contain('notes.txt');
    expect(link.parentNode!.text).to.contain('PDF');
    const file = await download(a, url(link.getAttribute('href')!));
    expect(file.headers.get('content-type')).to.equal('application/pdf');
    expect(file.headers.get('content-disposition')).to.match(/^attachment; filename="notes.txt"/);
    expect(file.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(file.bytes.equals(pdfOf(2000))).to.equal(true);
  });

  it('takes a HEIC photo by its bytes, and asks for a JPEG when it cannot be read (nothing kept)', async () => {
    const a = await suite.launch(ada);
    // An iPhone photo's beginning: an ftyp box of brand heic, then no picture this build of sharp can decode.
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.from([0, 0, 0, 0]), Buffer.from('mif1heic'), Buffer.alloc(4000)]);
    const res = await startThreadWith(a, [{ name: 'IMG_1234.HEIC', data: heic, type: 'application/octet-stream' }], { body: 'From my phone' });
    expect(res.status).to.equal(415);
    expect(parse(res.body).querySelector('[data-test=post-error]')?.text).to.contain('Save it as JPEG or PNG');
    expect(parse(res.body).querySelector('textarea[name=body]')?.text).to.equal('From my phone');
    expect(await env.app.db.selectFrom('attachments').select('id').execute()).to.have.length(0);
  });

  it('answers a file past its kind’s cap with a 413 page that keeps the typed text, and keeps nothing of the file', async () => {
    const a = await suite.launch(ada);
    const res = await startThreadWith(a, [{ name: 'report.pdf', data: pdfOf(1024 * 1024 + 10), type: 'application/pdf' }], { title: 'My long report', body: 'Three paragraphs I do not want to lose' });
    expect(res.status).to.equal(413);
    const page = parse(res.body);
    expect(page.querySelector('[data-test=post-error]')?.text).to.contain('at most 1 MB');
    expect(page.querySelector('input[name=title]')?.getAttribute('value')).to.equal('My long report');
    expect(page.querySelector('textarea[name=body]')?.text).to.equal('Three paragraphs I do not want to lose');
    expect(await env.app.db.selectFrom('attachments').select('id').execute()).to.have.length(0);
    expect(await env.app.db.selectFrom('mediaChunks').select('seq').execute()).to.have.length(0);
  });

  it('refuses a file past the person’s storage quota with a 413 that keeps the text, keeping their earlier files', async () => {
    const a = await suite.launch(ada);
    const first = await startThreadWith(a, [{ name: 'one.pdf', data: pdfOf(900_000) }]);
    expect(first.status).to.equal(303);
    const second = await startThreadWith(a, [{ name: 'two.pdf', data: pdfOf(900_000) }], { body: 'The second report' });
    expect(second.status).to.equal(413);
    const page = parse(second.body);
    expect(page.querySelector('[data-test=post-error]')?.text).to.contain('limit of 1.5 MB');
    expect(page.querySelector('textarea[name=body]')?.text).to.equal('The second report');
    expect((await env.app.db.selectFrom('attachments').select('fileName').execute()).map((r) => r.fileName)).to.deep.equal(['one.pdf']);
  });

  it('answers a range request with 206 and exactly those bytes (a video seeks)', async () => {
    const a = await suite.launch(ada);
    const clip = mp4Of(700_000);
    const posted = await startThreadWith(a, [{ name: 'clip.mp4', data: clip, type: 'video/mp4' }]);
    expect(posted.status, posted.body.slice(0, 400)).to.equal(303);
    const src = (await suite.get(a, url(posted.location!))).doc.querySelector('[data-test=attachment-video] source')!;
    expect(src.getAttribute('type')).to.equal('video/mp4');
    const part = await download(a, url(src.getAttribute('src')!), { range: 'bytes=262000-300000' });
    expect(part.status).to.equal(206);
    expect(part.headers.get('content-range')).to.equal(`bytes 262000-300000/${clip.length}`);
    expect(part.bytes.equals(clip.subarray(262000, 300001))).to.equal(true);
    const tail = await download(a, url(src.getAttribute('src')!), { range: 'bytes=-100' });
    expect(tail.status).to.equal(206);
    expect(tail.bytes.equals(clip.subarray(clip.length - 100))).to.equal(true);
    const beyond = await download(a, url(src.getAttribute('src')!), { range: `bytes=${clip.length + 10}-` });
    expect(beyond.status).to.equal(416);
  });

  it('keeps the files of a reply that could not be posted with its draft, and posts them with it', async () => {
    const a = await suite.launch(ada);
    const started = await startThreadWith(a, []);
    const thread = url(started.location!);
    const empty = await postMultipart(a, `${thread}/posts`, { body: '   ' }, [{ name: 'board.png', data: await sharp({ create: { width: 40, height: 30, channels: 3, background: '#fff' } }).png().toBuffer() }], await suite.csrfOf(a));
    expect(empty.status).to.equal(400);
    const kept = parse(empty.body).querySelectorAll('[data-test=pending-attachments] input[name=attachmentIds]');
    expect(kept).to.have.length(1);
    expect(kept[0]!.parentNode!.text).to.contain('board.png');
    // Opened again later, the form still carries it.
    const reopened = await suite.get(a, thread);
    expect(reopened.doc.querySelectorAll('[data-test=pending-attachments] input[name=attachmentIds]')).to.have.length(1);
    const posted = await postMultipart(a, `${thread}/posts`, { body: 'Here is the board', attachmentIds: kept[0]!.getAttribute('value')! }, [], await suite.csrfOf(a));
    expect(posted.status, posted.body.slice(0, 300)).to.equal(303);
    const page = await suite.get(a, url(posted.location!));
    expect(page.doc.querySelectorAll('[data-test=post] [data-test=attachment]')).to.have.length(1);
    expect(page.doc.querySelectorAll('[data-test=pending-attachments] input')).to.have.length(0);
  });

  it('keeps nothing of an upload cut short (the browser gone mid-file)', async () => {
    const a = await suite.launch(ada);
    const space = await commonsOf(suite, a);
    const target = new URL(`${space}/threads`);
    const boundary = 'cut-short-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${await suite.csrfOf(a)}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="clip.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
    );
    const cookie = (await a.browser.jar.getCookies(target.href)).map((c) => c.cookieString()).join('; ');
    const req = http.request(target, { method: 'POST', headers: { cookie, origin: target.origin, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 2_000_000) } });
    req.on('error', () => {});
    req.write(head);
    req.write(mp4Of(300_000));
    await waitFor('the upload to have started', async () => (await env.app.db.selectFrom('attachments').select('id').execute()).length > 0);
    req.destroy();
    await waitFor('nothing of it to be left', async () =>
      (await env.app.db.selectFrom('attachments').select('id').execute()).length === 0 && (await env.app.db.selectFrom('mediaChunks').select('seq').execute()).length === 0);
  });

  it('keeps the text of a reply with a file refused by the CSRF check (an old page) as a draft, and stores no byte of the file', async () => {
    const a = await suite.launch(ada);
    const started = await startThreadWith(a, []);
    const thread = url(started.location!).replace(/#.*/, '');
    const text = 'A reply written over lunch, with a picture.';
    const refused = await postMultipart(a, `${thread}/posts`, { body: text }, [{ name: 'clip.mp4', data: mp4Of(20_000) }], 'stale-token-from-an-old-page');
    expect(refused.status).to.equal(403);
    expect(parse(refused.body).querySelector('[data-test=error-message]')!.text).to.contain('What you wrote is kept');
    expect(await env.app.db.selectFrom('attachments').select('id').execute()).to.have.length(0);
    const page = await suite.get(a, thread);
    expect(page.doc.querySelector('#reply-body')!.text).to.equal(text);
    expect(page.doc.querySelector('[data-test=kept-draft]')).to.not.equal(null);
  });

  it('stores no byte of a file sent without a valid CSRF token', async () => {
    const a = await suite.launch(ada);
    const space = await commonsOf(suite, a);
    for (const csrf of [null, 'not-the-token']) {
      const res = await postMultipart(a, `${space}/threads`, { title: 't', body: 'b' }, [{ name: 'clip.mp4', data: mp4Of(10_000) }], csrf);
      expect(res.status, String(csrf)).to.equal(403);
    }
    expect(await env.app.db.selectFrom('attachments').select('id').execute()).to.have.length(0);
    expect(await env.app.db.selectFrom('threads').select('id').execute()).to.have.length(0);
  });
});

describe('files in posts with an S3-compatible store', () => {
  let s3: TestS3;
  const env = {} as { app: Awaited<ReturnType<typeof startTestApp>>; lms: Awaited<ReturnType<typeof connectPlatform>>; sim: LtiPlatformSimulator };
  before(async () => {
    s3 = await startTestS3();
    env.app = await startTestApp(s3.env);
    env.sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    env.lms = await connectPlatform(env.app, env.sim);
  });
  after(async () => {
    await env.sim?.close();
    await env.app?.close();
    await s3?.close();
  });
  const members = cohortMembers(() => env, { id: 'course-s3', title: 'S3' });

  it('stores an upload in the bucket (nothing in PostgreSQL) and serves it, ranges included, behind the same check', async () => {
    const a = await members.launch(ada);
    const b = await members.launch(bo);
    const space = await members.follow(a, `${a.base}/commons`);
    const clip = mp4Of(300_000);
    const posted = await postMultipart(a, `${space}/threads`, { title: 'A clip', body: 'From my phone' }, [{ name: 'clip.mov', data: clip }], await members.csrfOf(a));
    expect(posted.status, posted.body.slice(0, 400)).to.equal(303);
    expect(await env.app.db.selectFrom('mediaChunks').select('seq').execute()).to.have.length(0);
    const src = (await members.get(b, new URL(posted.location!, env.app.url).href)).doc.querySelector('[data-test=attachment-video] source')!.getAttribute('src')!;
    const whole = await download(b, new URL(src, env.app.url).href);
    expect(whole.status).to.equal(200);
    expect(whole.bytes.equals(clip)).to.equal(true);
    const part = await download(b, new URL(src, env.app.url).href, { range: 'bytes=100-199' });
    expect(part.status).to.equal(206);
    expect(part.bytes.equals(clip.subarray(100, 200))).to.equal(true);
    // Someone of another cohort: not found.
    const other = await members.launch(bo, { id: 'course-s3-other', title: 'Other' });
    const id = src.split('/')[4]!;
    expect((await download(other, `${other.base}/media/${id}/full`)).status).to.equal(404);
  });
});

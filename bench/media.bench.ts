// Files in posts. (1) Upload throughput through the composer's route (multipart, streamed, type
// from the bytes, pictures re-encoded by sharp, stored in PostgreSQL): phone photos (a 12 MP JPEG
// re-encoded to two display sizes) and 5 MB PDFs (streamed as sent), 4 in flight, spread over
// enough learners to stay under the posting rate limits they count towards. (2) The thread page
// of 50 posts before and after 20 of them carry a picture, beside the bare reference page in the
// same run (ratio = page req/s ÷ reference req/s): the target is the page's own time unchanged.
// (3) A thumbnail served from behind the access check, with its caching headers.
import { sql } from 'kysely';
import sharp from 'sharp';
import { ROLES } from '../test/support/lti-fixtures.ts';
import type { Member } from '../test/support/cohort-members.ts';
import { postMultipart } from '../test/support/media-requests.ts';
import { pdfOf } from '../test/support/media-fixtures.ts';
import { load, measure, report, type Load } from './bench-support.ts';
import { startThreadBench } from './scale.bench.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

export async function benchMedia(databaseUrl: string, seconds = Number(process.env.BENCH_SECONDS ?? 5)): Promise<void> {
  const { app, people, reader, thread, threadId, tenantId, reference, cookie, close } = await startThreadBench(databaseUrl, 'media');
  try {
    // Uploaders: each makes at most 5 uploads (the posting burst limit is 5 in 10 s per person).
    const uploaders: Array<{ m: Member; csrf: string; left: number }> = [];
    for (let i = 1; i <= 12; i++) {
      const m = await people.launch({ sub: `media-u${i}`, name: `Uploader ${i}`, roles: [ROLES.learner] }, { id: 'media' });
      uploaders.push({ m, csrf: await people.csrfOf(m), left: 5 });
    }
    const nextUploader = () => {
      const u = uploaders.find((x) => x.left > 0);
      if (!u) throw new Error('out of uploaders');
      u.left--;
      return u;
    };
    const photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#888', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 85 }).toBuffer();
    const pdf = pdfOf(5 * 1024 * 1024);
    const uploadUrl = `${reader.base}/media?target=thread:${threadId}`;
    const upload = async (name: string, data: Buffer) => {
      const u = nextUploader();
      const r = await postMultipart(u.m, uploadUrl.replace(reader.base, u.m.base), {}, [{ name, data }], u.csrf);
      return r.status === 201;
    };
    console.log(`\nUploads through POST /cohorts/:id/media, 4 in flight (photo: ${(photo.length / 2 ** 20).toFixed(1)} MB 4000×3000 JPEG; PDF: 5.0 MB)`);
    const photos = await measure(20, 4, () => upload('photo.jpg', photo));
    report('photo upload (re-encoded to 2 sizes)', photos);
    console.log(`${''.padEnd(44)} ${((photos.perSecond * photo.length) / 2 ** 20).toFixed(1)} MB/s in`);
    const pdfs = await measure(20, 4, () => upload('report.pdf', pdf));
    report('PDF upload (streamed as sent)', pdfs);
    console.log(`${''.padEnd(44)} ${((pdfs.perSecond * pdf.length) / 2 ** 20).toFixed(1)} MB/s in`);

    const measured = async (url: string, headers: Record<string, string>) => load(url, headers, seconds, CONNECTIONS);
    const row = (name: string, l: Load, ratio: string) =>
      console.log(`${name.padEnd(44)} ${ratio.padStart(6)}  ${l.rps.toFixed(0).padStart(6)} req/s  p50 ${String(l.p50).padStart(5)} ms  p99 ${String(l.p99).padStart(5)} ms  non-2xx ${l.non2xx}  errors ${l.errors}`);
    console.log(`\nThe thread page beside the reference, ${CONNECTIONS} connections, ${seconds} s each (ratio = page req/s ÷ reference req/s)`);
    const ref1 = await measured(reference.url, {});
    row('reference (50 posts, 1 query)', ref1, '1.00');
    const before = await measured(thread, { cookie });
    row('thread page, 50 posts, no files', before, (before.rps / ref1.rps).toFixed(2));

    // 20 of the uploaded pictures onto 20 posts of the thread (as their authors' posts would claim them).
    await sql`
      WITH pics AS (SELECT id, row_number() OVER (ORDER BY created_at) AS n FROM attachments WHERE tenant_id = ${tenantId} AND kind = 'image' LIMIT 20),
           ps AS (SELECT id, row_number() OVER (ORDER BY created_at) AS n FROM posts WHERE tenant_id = ${tenantId} AND thread_id = ${threadId})
      UPDATE attachments a SET post_id = ps.id, draft_target = NULL FROM pics JOIN ps ON ps.n = pics.n WHERE a.tenant_id = ${tenantId} AND a.id = pics.id`.execute(app.db);
    const html = await (await fetch(thread, { headers: { cookie } })).text();
    const thumbs = [...html.matchAll(/<img src="([^"]+\/thumb[^"]*)"/g)].map((m) => m[1]!);
    if (thumbs.length !== 20) throw new Error(`expected 20 pictures on the page, found ${thumbs.length}`);
    const ref2 = await measured(reference.url, {});
    row('reference (50 posts, 1 query)', ref2, '1.00');
    const after = await measured(thread, { cookie });
    row('thread page, 50 posts, 20 pictures', after, (after.rps / ref2.rps).toFixed(2));

    const thumbUrl = new URL(thumbs[0]!, app.url).href;
    const t = await fetch(thumbUrl, { headers: { cookie } });
    console.log(`\nthumbnail: ${t.status} ${t.headers.get('content-type')} ${t.headers.get('content-length')} bytes, Cache-Control: ${t.headers.get('cache-control')}, ETag ${t.headers.get('etag')}`);
    row('thumbnail (access check + stored bytes)', await measured(thumbUrl, { cookie }), '');
    row('thumbnail revalidated (304)', await measured(thumbUrl, { cookie, 'if-none-match': t.headers.get('etag')! }), '');
  } finally {
    await close();
  }
}

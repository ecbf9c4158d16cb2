// A person's files in their export and their erasure: the export's zip holds their own files and
// profile photo (and no one else's), listed in data.json; erasing them leaves no attachment row and
// no stored byte.
import { expect } from 'chai';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { postMultipart } from '../support/media-requests.ts';
import * as exportsQ from '../../models/export.queries.ts';
import { buildExport } from '../../server/privacy/export.service.ts';
import { erasePerson } from '../../server/privacy/erasure.service.ts';
import { loadWorkshop } from '../../server/modules/workshop-files.ts';
import { pdfOf, phonePhoto } from '../support/media-fixtures.ts';

const ada = { sub: 'ada', name: 'Ada Lovelace', roles: [ROLES.learner] };
const bo = { sub: 'bo', name: 'Bo Brown', roles: [ROLES.learner] };

async function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(buf, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z!))));
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return reject(err);
        const parts: Buffer[] = [];
        stream.on('data', (c: Buffer) => parts.push(c));
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(parts));
          zip.readEntry();
        });
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return files;
}

describe('a person’s files in their export and erasure', () => {
  const suite = cohortSuite({ context: { id: 'course-media-privacy', title: 'Media privacy' } });
  const db = () => suite.env.app.db;

  async function postWithFiles(m: Member, files: Parameters<typeof postMultipart>[3]) {
    const space = await suite.follow(m, `${m.base}/commons`);
    const r = await postMultipart(m, `${space}/threads`, { title: 'Files', body: 'See attached' }, files, await suite.csrfOf(m));
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
  }
  const personOf = (sub: string) => db().selectFrom('persons').select(['id', 'tenantId']).where('sub', '=', sub).executeTakeFirstOrThrow();

  it('exports the person’s own files, and erasing them leaves none of their files or bytes', async () => {
    const a = await suite.launch(ada);
    const b = await suite.launch(bo);
    await postWithFiles(a, [{ name: 'plan.pdf', data: pdfOf(3000) }, { name: 'whiteboard.jpg', data: await phonePhoto() }]);
    await postWithFiles(b, [{ name: 'bo-notes.pdf', data: pdfOf(1500) }]);
    for (const [m, name] of [[a, 'ada-face.jpg'], [b, 'bo-face.jpg']] as const) {
      const r = await postMultipart(m, `${m.base}/profile/photo`, {}, [{ name, data: await phonePhoto() }], await suite.csrfOf(m));
      expect(r.status, r.body.slice(0, 300)).to.equal(303);
    }
    const A = await personOf(ada.sub);

    const exportId = await exportsQ.insertPersonalExport(db(), { tenantId: A.tenantId, personId: A.id, cohortId: a.cohortId, scope: 'all', expiresAt: new Date(Date.now() + 3600_000) });
    expect(await buildExport({ db: db(), workshop: loadWorkshop(), now: () => new Date() }, { tenantId: A.tenantId, exportId })).to.equal('built');
    const chunks: Buffer[] = [];
    for (let seq = 0; ; seq++) {
      const c = await exportsQ.findExportChunk(db(), A.tenantId, exportId, seq);
      if (!c) break;
      chunks.push(c.data);
    }
    const files = await unzip(Buffer.concat(chunks));
    const names = [...files.keys()].filter((n) => n.startsWith('circlework-export/files/'));
    expect(names.map((n) => n.replace(/^circlework-export\/files\/[0-9a-f]{8}-/, ''))).to.have.members(['plan.pdf', 'whiteboard.jpg', 'ada-face.jpg']);
    expect(files.get(names.find((n) => n.endsWith('plan.pdf'))!)!.equals(pdfOf(3000))).to.equal(true);
    expect((await sharp(files.get(names.find((n) => n.endsWith('whiteboard.jpg'))!)!).metadata()).format).to.equal('webp');
    const data = JSON.parse(files.get('circlework-export/data.json')!.toString()) as { files: Array<{ name: string; posted: boolean; profilePhoto: boolean; on: string }> };
    expect(data.files.map((f) => f.name)).to.have.members(['plan.pdf', 'whiteboard.jpg', 'ada-face.jpg']);
    expect(data.files.filter((f) => f.profilePhoto).map((f) => f.name)).to.deep.equal(['ada-face.jpg']);
    expect(Object.fromEntries(data.files.map((f) => [f.name, f.on]))).to.deep.equal({ 'plan.pdf': 'post', 'whiteboard.jpg': 'post', 'ada-face.jpg': 'profile photo' });

    await erasePerson({ db: db(), erasureKey: 'test-key' }, { by: 'tool-admin', adminUserId: '00000000-0000-4000-8000-000000000001', tenantId: A.tenantId }, A.id);
    const left = await db().selectFrom('attachments').select('fileName').execute();
    expect(left.map((r) => r.fileName), 'only Bo’s files are left').to.have.members(['bo-notes.pdf', 'bo-face.jpg']);
    const chunkOwners = await db().selectFrom('mediaChunks').innerJoin('attachments', 'attachments.id', 'mediaChunks.attachmentId').select('attachments.fileName').distinct().execute();
    expect(chunkOwners.map((r) => r.fileName)).to.have.members(['bo-notes.pdf', 'bo-face.jpg']);
    // Bo's PDF (one chunk) and his photo (full and small, one chunk each).
    expect(await db().selectFrom('mediaChunks').select('seq').execute(), 'no byte without its attachment').to.have.length(3);
  });
});

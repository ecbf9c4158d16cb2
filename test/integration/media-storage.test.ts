// The two stores of attachments' bytes, each against a real server: PostgreSQL (the test database)
// and an S3-compatible server (s3rver, started here on a free port). The same contract for both:
// bytes in as a stream come back whole and by range, across chunk and part boundaries; deleted
// attachments leave nothing in the store (the object store's by the sweep of media_deletions).
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { cohortSuite } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { startTestS3, type TestS3 } from '../support/s3-server.ts';
import { CHUNK_BYTES, PostgresMediaStorage, S3MediaStorage, type MediaStorage } from '../../server/media/storage.ts';
import * as mediaQ from '../../models/media.queries.ts';
import { sweepMediaDeletions } from '../../server/media/media.service.ts';

const ada = { sub: 'ada', name: 'Ada Lovelace', roles: [ROLES.learner] };

/** The bytes in uneven pieces, as a network delivers them. */
function streamOf(bytes: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0, n = 1000; i < bytes.length; i += n, n = (n * 7) % 90_001 + 1) pieces.push(bytes.subarray(i, i + n));
  return Readable.from(pieces);
}

async function bytesOf(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('media storage', () => {
  const suite = cohortSuite({ context: { id: 'course-storage', title: 'Storage' } });
  const db = () => suite.env.app.db;
  let s3: TestS3;
  before(async () => {
    s3 = await startTestS3();
  });
  after(async () => {
    await s3?.close();
  });

  async function newAttachment() {
    const m = await suite.launch(ada);
    const membership = await db().selectFrom('memberships').select(['id', 'tenantId']).where('cohortId', '=', m.cohortId).executeTakeFirstOrThrow();
    const row = await mediaQ.insertAttachment(db(), { tenantId: membership.tenantId, cohortId: m.cohortId, membershipId: membership.id, draftTarget: 'space:x', kind: 'video', contentType: 'video/mp4', fileName: 'clip.mp4' });
    return { tenantId: membership.tenantId, attachmentId: row.id };
  }

  const stores: Array<[string, () => MediaStorage]> = [
    ['PostgreSQL', () => new PostgresMediaStorage(db())],
    ['S3 (s3rver)', () => new S3MediaStorage(s3.settings)],
  ];
  for (const [name, make] of stores) {
    it(`${name}: gives back the bytes it took, whole and by range`, async () => {
      const storage = make();
      try {
        const key = { ...(await newAttachment()), variant: 'full' as const };
        const bytes = crypto.randomBytes(CHUNK_BYTES * 2 + 12_345);
        await storage.put(key, streamOf(bytes), 'video/mp4');
        expect((await bytesOf(await storage.get(key))).equals(bytes)).to.equal(true);
        // (Not 0-0: s3rver reads an end of 0 as no end, where S3 gives one byte.)
        for (const [start, end] of [[0, 1], [CHUNK_BYTES - 10, CHUNK_BYTES + 10], [5, CHUNK_BYTES * 2 + 100], [bytes.length - 7, bytes.length - 1]] as const) {
          const got = await bytesOf(await storage.get(key, { start, end }));
          expect(got.equals(bytes.subarray(start, end + 1)), `${start}-${end}`).to.equal(true);
        }
      } finally {
        storage.close();
      }
    });
  }

  it('PostgreSQL: an attachment’s chunks go with its row', async () => {
    const storage = new PostgresMediaStorage(db());
    const key = await newAttachment();
    await storage.put({ ...key, variant: 'full' }, streamOf(crypto.randomBytes(CHUNK_BYTES + 1)), 'video/mp4');
    expect(await db().selectFrom('mediaChunks').select('seq').where('attachmentId', '=', key.attachmentId).execute()).to.have.length(2);
    await mediaQ.deleteAttachment(db(), key.tenantId, key.attachmentId);
    expect(await db().selectFrom('mediaChunks').select('seq').where('attachmentId', '=', key.attachmentId).execute()).to.have.length(0);
  });

  it('S3: a deleted attachment’s objects are deleted from the store by the sweep', async () => {
    const storage = new S3MediaStorage(s3.settings);
    try {
      const key = await newAttachment();
      await storage.put({ ...key, variant: 'full' }, streamOf(Buffer.from('a clip')), 'video/mp4');
      await storage.put({ ...key, variant: 'thumb' }, streamOf(Buffer.from('a poster')), 'image/webp');
      await mediaQ.deleteAttachment(db(), key.tenantId, key.attachmentId);
      // Still there until the sweep: the row's deletion only noted it.
      expect((await bytesOf(await storage.get({ ...key, variant: 'full' }))).toString()).to.equal('a clip');
      expect(await sweepMediaDeletions({ db: db(), storage })).to.equal(1);
      for (const variant of ['full', 'thumb'] as const) {
        const err = await storage.get({ ...key, variant }).then(() => undefined, (e: unknown) => e as { name?: string });
        expect(err?.name, variant).to.equal('NoSuchKey');
      }
      expect(await db().selectFrom('mediaDeletions').selectAll().execute()).to.deep.equal([]);
    } finally {
      storage.close();
    }
  });
});

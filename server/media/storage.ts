// Where attachments' bytes live: one small interface, two stores. The default keeps them in
// PostgreSQL (media_chunks, 256 KiB rows), so `npm start` needs nothing more and every app process
// on the database sees every file; an S3-compatible object store (AWS S3, MinIO, Ceph, R2) takes
// over when S3_URL is set. Both take and give streams: a 200 MB video is never whole in memory.
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Db } from '../../models/db.ts';
import * as media from '../../models/media.queries.ts';

export interface MediaKey {
  tenantId: string;
  attachmentId: string;
  variant: 'full' | 'thumb';
}

/** Inclusive byte offsets, as HTTP's Range has them. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface MediaStorage {
  readonly kind: 'postgres' | 's3';
  /** Stores the stream's bytes under the key (replacing any); resolves once they are all stored. */
  put(key: MediaKey, body: Readable, contentType: string): Promise<void>;
  /** The bytes under the key (all, or one range of them). */
  get(key: MediaKey, range?: ByteRange): Promise<Readable>;
  /** Deletes every variant of these attachments; a key that holds nothing is no error. */
  deleteAttachments(keys: Array<{ tenantId: string; attachmentId: string }>): Promise<void>;
  /** Lets go of connections (an S3 client's sockets). */
  close(): void;
}

export const CHUNK_BYTES = 256 * 1024;

/** Cuts a stream into CHUNK_BYTES pieces (the last shorter), holding at most one piece at a time. */
async function* chunksOf(body: Readable): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const piece of body) {
    let buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
    while (held + buf.length >= CHUNK_BYTES) {
      const take = CHUNK_BYTES - held;
      parts.push(buf.subarray(0, take));
      yield Buffer.concat(parts);
      parts = [];
      held = 0;
      buf = buf.subarray(take);
    }
    if (buf.length) {
      parts.push(buf);
      held += buf.length;
    }
  }
  if (held) yield Buffer.concat(parts);
}

/**
 * The embedded default: bytea rows in PostgreSQL. Chosen over files under DATA_DIR because several
 * app processes (or machines) on one database then share the files with no shared disk, backups
 * and erasure are the database's (the rows go with their attachment by cascade), and large
 * objects would need lo_unlink on every delete path. A range reads only the chunks it covers.
 */
export class PostgresMediaStorage implements MediaStorage {
  readonly kind = 'postgres' as const;
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async put(key: MediaKey, body: Readable, _contentType?: string): Promise<void> {
    await media.deleteMediaChunks(this.db, key);
    let seq = 0;
    for await (const data of chunksOf(body)) await media.insertMediaChunk(this.db, { ...key, seq: seq++, data });
  }

  async get(key: MediaKey, range?: ByteRange): Promise<Readable> {
    const db = this.db;
    const first = range ? Math.floor(range.start / CHUNK_BYTES) : 0;
    const last = range ? Math.floor(range.end / CHUNK_BYTES) : Number.MAX_SAFE_INTEGER;
    // A few chunks per round trip: a 200 MB video streams in 4 MB steps, never whole.
    async function* read(): AsyncGenerator<Buffer> {
      for (let from = first; from <= last; from += 16) {
        const rows = await media.listMediaChunks(db, key, from, Math.min(last, from + 15));
        for (const { seq, data } of rows) {
          const offset = seq * CHUNK_BYTES;
          const a = range && seq === first ? range.start - offset : 0;
          const b = range && seq === last ? range.end - offset + 1 : data.length;
          yield data.subarray(a, b);
        }
        if (rows.length < 16) return;
      }
    }
    return Readable.from(read());
  }

  async deleteAttachments(): Promise<void> {
    // The chunks went with their attachment's row (ON DELETE CASCADE).
  }

  close(): void {}
}

export interface S3Settings {
  url: string;
  bucket: string;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  /** Keys are `<prefix><tenant>/<attachment>/<variant>`. */
  prefix: string;
}

// The AWS SDK (10–20 MB resident) is loaded only where S3 is configured, not by every process.
const s3Sdk = () => import('@aws-sdk/client-s3');

/** Any S3-compatible store, path-style addressing (MinIO, Ceph and s3rver need it; AWS accepts it). */
export class S3MediaStorage implements MediaStorage {
  readonly kind = 's3' as const;
  private readonly client: Promise<S3Client>;
  private readonly settings: S3Settings;
  constructor(settings: S3Settings) {
    this.settings = settings;
    this.client = s3Sdk().then(({ S3Client }) => new S3Client({
      endpoint: settings.url,
      region: settings.region,
      forcePathStyle: true,
      ...(settings.accessKeyId && settings.secretAccessKey ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } } : {}),
    }));
    this.client.catch(() => undefined); // reported by the first use
  }

  private objectKey(key: MediaKey): string {
    return `${this.settings.prefix}${key.tenantId}/${key.attachmentId}/${key.variant}`;
  }

  async put(key: MediaKey, body: Readable, contentType: string): Promise<void> {
    // lib-storage sends a multipart upload in 5 MB parts, a few at a time: the memory held is bounded by those.
    const [client, { Upload }] = await Promise.all([this.client, import('@aws-sdk/lib-storage')]);
    await new Upload({ client, params: { Bucket: this.settings.bucket, Key: this.objectKey(key), Body: body, ContentType: contentType }, queueSize: 2 }).done();
  }

  async get(key: MediaKey, range?: ByteRange): Promise<Readable> {
    const [client, { GetObjectCommand }] = await Promise.all([this.client, s3Sdk()]);
    const out = await client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
    return out.Body as Readable;
  }

  async deleteAttachments(keys: Array<{ tenantId: string; attachmentId: string }>): Promise<void> {
    const [client, { DeleteObjectsCommand }] = await Promise.all([this.client, s3Sdk()]);
    for (let i = 0; i < keys.length; i += 500) {
      const objects = keys.slice(i, i + 500).flatMap((k) => (['full', 'thumb'] as const).map((variant) => ({ Key: this.objectKey({ ...k, variant }) })));
      await client.send(new DeleteObjectsCommand({ Bucket: this.settings.bucket, Delete: { Objects: objects, Quiet: true } }));
    }
  }

  close(): void {
    void this.client.then((client) => client.destroy(), () => undefined);
  }
}

export function createMediaStorage(db: Db, s3: S3Settings | undefined): MediaStorage {
  return s3 ? new S3MediaStorage(s3) : new PostgresMediaStorage(db);
}

// ltijs's 7-method database plugin over our PostgreSQL: one JSONB document a row (lti_documents).
// Encrypted collections store {...index, iv, data} like ltijs's Mongo store; Get decrypts and adds
// createdAt in milliseconds, which ltijs's access-token expiry relies on.
import crypto from 'node:crypto';
import type { Db } from '../models/db.ts';
import * as docs from '../models/lti-documents.queries.ts';
import { readForLaunch, type LaunchCache } from './launch-cache.ts';

type Doc = Record<string, unknown>;

/** Lifetimes of ltijs's expiring collections (its Mongo TTL indexes), in seconds. */
export const LTI_DOCUMENT_TTL: Readonly<Record<string, number>> = {
  nonce: 600,
  state: 600,
  idtoken: 24 * 3600,
  contexttoken: 24 * 3600,
  accesstoken: 3600,
};

/**
 * What ltijs stores at every launch only to read back when a later request brings an ltik: we run
 * it in ltiaas mode and refuse every ltik (launch-guards.ts), so these are never read. Not writing them
 * saves a launch two upserts and keeps the token's personal data out of the database.
 */
const NEVER_READ = new Set(['idtoken', 'contexttoken']);

/**
 * ltijs keeps a login's state only to add the query of a target link URI to the launch's req.query,
 * which we never read (the launch goes by the id_token's claims alone). The state itself is checked
 * against its cookie (or the platform's storage) and our own login record (lti_logins), not here.
 * Not stored, it costs a login and a launch no round trip.
 * Nor is ltijs's record of a launch's nonce (its replay check): every launch uses up its login (the
 * lti_logins row of that state and nonce) in the very statement that records it, after ltijs has
 * verified the token (recordLaunch), so a replay records nothing and starts no session.
 */
const NEVER_KEPT = new Set(['state', 'nonce']);

/** ltijs's copy of a platform and its active flag: read at every login and launch, written at registration. */
const CACHED = new Set(['platform', 'platformStatus']);

export class LtijsPostgresPlugin {
  readonly #db: Db;
  readonly #onError: (err: unknown, what: string) => void;
  readonly #cache: LaunchCache | undefined;

  constructor(db: Db, onError: (err: unknown, what: string) => void, cache?: LaunchCache) {
    this.#db = db;
    this.#onError = onError;
    this.#cache = cache;
  }

  // Migrations run at boot, before ltijs is used; the pool is closed by whoever opened it.
  async setup(): Promise<true> {
    return true;
  }

  async Close(): Promise<true> {
    return true;
  }

  async Get(encryptionKey: string | false, collection: string, query?: Doc): Promise<Doc[] | false> {
    if (NEVER_KEPT.has(collection)) return false;
    const load = async () => {
      const rows = await docs.listLtiDocuments(this.#db, collection, query ?? {}, LTI_DOCUMENT_TTL[collection]);
      return rows.length === 0 ? undefined : rows;
    };
    const rows = !encryptionKey && CACHED.has(collection)
      ? await readForLaunch(this.#cache, `lti-document:${collection}:${JSON.stringify(query ?? {})}`, load, () => ['lti-platforms'], (found) => found.every(({ doc }) => doc.active !== false))
      : await load();
    if (!rows) return false;
    return rows.map(({ doc, createdAt }) => {
      if (!encryptionKey) return { ...doc, createdAt };
      const plain = JSON.parse(decrypt(String(doc.data), String(doc.iv), encryptionKey)) as Doc;
      return { ...plain, createdAt: createdAt.getTime() };
    });
  }

  async Insert(encryptionKey: string | false, collection: string, item: Doc, index?: Doc): Promise<true> {
    if (NEVER_KEPT.has(collection)) return true;
    await docs.insertLtiDocument(this.#db, collection, sealDocument(encryptionKey, item, index));
    return true;
  }

  async Replace(encryptionKey: string | false, collection: string, query: Doc, item: Doc, index?: Doc): Promise<true> {
    if (NEVER_READ.has(collection)) return true;
    const sealed = sealDocument(encryptionKey, item, index);
    await this.#db.transaction().execute((tx) => docs.replaceLtiDocument(tx, collection, query, sealed));
    return true;
  }

  async Modify(encryptionKey: string | false, collection: string, query: Doc, modification: Doc): Promise<true> {
    if (!encryptionKey) {
      await docs.updateLtiDocuments(this.#db, collection, query, modification);
      return true;
    }
    await this.#db.transaction().execute(async (tx) => {
      const rows = await docs.listLtiDocuments(tx, collection, query, undefined);
      const first = rows[0];
      if (!first) return;
      const plain = { ...(JSON.parse(decrypt(String(first.doc.data), String(first.doc.iv), encryptionKey)) as Doc), ...modification };
      await docs.updateLtiDocuments(tx, collection, query, encrypt(JSON.stringify(plain), encryptionKey));
    });
    return true;
  }

  // ltijs calls Delete without awaiting it (state clean-up): a rejection here would crash the process.
  async Delete(collection: string, query: Doc): Promise<true> {
    try {
      await docs.deleteLtiDocuments(this.#db, collection, query);
    } catch (err) {
      this.#onError(err, `delete ${collection}`);
    }
    return true;
  }
}

/** The stored form of a document: plain, or its index fields beside the encrypted whole. */
export function sealDocument(encryptionKey: string | false, item: Doc, index?: Doc): Doc {
  if (!encryptionKey) return item;
  if (!index) throw new Error('an encrypted ltijs document needs an index');
  return { ...index, ...encrypt(JSON.stringify(item), encryptionKey) };
}

// AES-256-CBC with the SHA-256 of the secret as key: ltijs's own scheme, so stored documents stay
// readable by ltijs's Mongo implementation too.
function cipherKey(secret: string): Buffer {
  return crypto.createHash('sha256').update(secret).digest().subarray(0, 32);
}

function encrypt(data: string, secret: string): { iv: string; data: string } {
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv('aes-256-cbc', cipherKey(secret), iv);
  const encrypted = Buffer.concat([cipher.update(data), cipher.final()]);
  return { iv: iv.toString('hex'), data: encrypted.toString('hex') };
}

function decrypt(data: string, iv: string, secret: string): string {
  const decipher = crypto.createDecipheriv('aes-256-cbc', cipherKey(secret), Buffer.from(iv, 'hex'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'hex')), decipher.final()]).toString();
}

import { expect } from 'chai';
import { sql } from 'kysely';
import { LtijsPostgresPlugin } from '../../lti/ltijs-postgres-plugin.ts';
import { openTestDb, resetDatabase } from '../support/test-database.ts';
import type { DbHandle } from '../../models/db.ts';

describe('LtijsPostgresPlugin (ltijs DB plugin contract on PostgreSQL)', () => {
  let handle: DbHandle;
  let plugin: LtijsPostgresPlugin;
  let errors: unknown[];
  const KEY = 'encryption-key-for-tests-0123456789';

  before(() => {
    handle = openTestDb();
  });
  after(() => handle.close());
  beforeEach(async () => {
    await resetDatabase(handle);
    errors = [];
    plugin = new LtijsPostgresPlugin(handle.db, (err) => errors.push(err));
  });

  it('returns false when nothing matches, and the documents when something does', async () => {
    expect(await plugin.Get(false, 'platform', { platformUrl: 'https://lms.example' })).to.equal(false);
    await plugin.Insert(false, 'platform', { platformUrl: 'https://lms.example', clientId: 'a', authConfig: { method: 'JWK_SET' } });
    await plugin.Insert(false, 'platform', { platformUrl: 'https://lms.example', clientId: 'b' });
    const all = await plugin.Get(false, 'platform', { platformUrl: 'https://lms.example' });
    expect(all).to.have.length(2);
    const one = await plugin.Get(false, 'platform', { platformUrl: 'https://lms.example', clientId: 'a' });
    expect(one && one[0]).to.include({ clientId: 'a' });
    expect(one && one[0]?.authConfig).to.deep.equal({ method: 'JWK_SET' });
  });

  it('gives documents back with their keys exactly as stored (snake_case claims inside are not renamed)', async () => {
    const doc = { iss: 'https://lms.example', userInfo: { given_name: 'Ann', family_name: 'Lee' }, platformInfo: { product_family_code: 'moodle' }, endpoint: { lineitems: 'https://lms.example/li' } };
    await plugin.Insert(false, 'idtoken', doc);
    const got = await plugin.Get(false, 'idtoken', { iss: 'https://lms.example' });
    expect(got && got[0]).to.deep.include(doc);
  });

  it('stores encrypted documents as index + iv + data, and decrypts them with createdAt in ms', async () => {
    await plugin.Insert(KEY, 'accesstoken', { token: { access_token: 'secret-token' } }, { platformUrl: 'p', clientId: 'c', scopes: 's' });
    const raw = await sql<{ doc: Record<string, unknown> }>`select doc from lti_documents where collection = 'accesstoken'`.execute(handle.db);
    const stored = raw.rows[0]!.doc;
    expect(stored).to.have.keys(['platformUrl', 'clientId', 'scopes', 'iv', 'data']);
    expect(JSON.stringify(stored)).not.to.contain('secret-token');
    const got = await plugin.Get(KEY, 'accesstoken', { platformUrl: 'p', clientId: 'c', scopes: 's' });
    expect(got && got[0]?.token).to.deep.equal({ access_token: 'secret-token' });
    expect(got && got[0]?.createdAt).to.be.a('number').and.be.closeTo(Date.now(), 60_000);
  });

  it('replaces by query (upsert) and modifies plain and encrypted documents', async () => {
    await plugin.Replace(false, 'platformStatus', { id: 'k1' }, { id: 'k1', active: false });
    await plugin.Replace(false, 'platformStatus', { id: 'k1' }, { id: 'k1', active: true });
    const status = await plugin.Get(false, 'platformStatus', { id: 'k1' });
    expect(status).to.have.length(1);
    expect(status && status[0]).to.include({ active: true });

    await plugin.Modify(false, 'platformStatus', { id: 'k1' }, { active: false });
    expect((await plugin.Get(false, 'platformStatus', { id: 'k1' }) || [])[0]).to.include({ active: false, id: 'k1' });

    await plugin.Insert(KEY, 'privatekey', { key: 'PEM', kid: 'k1' }, { kid: 'k1' });
    await plugin.Modify(KEY, 'privatekey', { kid: 'k1' }, { key: 'PEM2' });
    expect((await plugin.Get(KEY, 'privatekey', { kid: 'k1' }) || [])[0]).to.include({ key: 'PEM2', kid: 'k1' });
  });

  it('deletes by query, and a failing delete is reported instead of rejecting', async () => {
    await plugin.Insert(false, 'state', { state: 's1', query: {} });
    await plugin.Delete('state', { state: 's1' });
    expect(await plugin.Get(false, 'state', { state: 's1' })).to.equal(false);
    const broken = new LtijsPostgresPlugin(handle.db, (err) => errors.push(err));
    await handle.db.schema.alterTable('lti_documents').renameTo('lti_documents_moved').execute();
    try {
      expect(await broken.Delete('state', { state: 's2' })).to.equal(true);
    } finally {
      await handle.db.schema.alterTable('lti_documents_moved').renameTo('lti_documents').execute();
    }
    expect(errors).to.have.length(1);
  });

  it('hides documents past their collection lifetime, as ltijs expects of its TTL indexes', async () => {
    // (An access token: ltijs's login states are no longer stored at all; see NEVER_KEPT.)
    await plugin.Insert(false, 'accesstoken', { platformUrl: 'https://lms.example', scopes: 'old' });
    expect(await plugin.Get(false, 'accesstoken', { platformUrl: 'https://lms.example', scopes: 'old' })).to.have.length(1);
    await sql`update lti_documents set created_at = now() - interval '2 hours' where collection = 'accesstoken'`.execute(handle.db);
    expect(await plugin.Get(false, 'accesstoken', { platformUrl: 'https://lms.example', scopes: 'old' })).to.equal(false);
  });

  it('keeps no nonce: a launch is used up by its login record (lti_logins), deleted by the statement that records the launch', async () => {
    expect(await plugin.Get(false, 'nonce', { nonce: 'n1' })).to.equal(false);
    await plugin.Insert(false, 'nonce', { nonce: 'n1' });
    expect(await plugin.Get(false, 'nonce', { nonce: 'n1' })).to.equal(false);
    expect(await handle.db.selectFrom('ltiDocuments').select('id').where('collection', '=', 'nonce').execute()).to.deep.equal([]);
  });
});

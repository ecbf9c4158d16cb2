import { sql, type Kysely } from 'kysely';

// ltijs's own documents. Lookups are flat equality queries: `doc @> $1` served by a GIN index.
// Uniqueness that ltijs's Mongo schema had is kept with partial unique indexes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lti_documents')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('collection', 'text', (c) => c.notNull())
    .addColumn('doc', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`CREATE INDEX lti_documents_doc_idx ON lti_documents USING gin (doc jsonb_path_ops)`.execute(db);
  await sql`CREATE INDEX lti_documents_collection_created_idx ON lti_documents (collection, created_at)`.execute(db);
  await sql`CREATE UNIQUE INDEX lti_documents_nonce_key ON lti_documents ((doc->>'nonce')) WHERE collection = 'nonce'`.execute(db);
  await sql`CREATE UNIQUE INDEX lti_documents_state_key ON lti_documents ((doc->>'state')) WHERE collection = 'state'`.execute(db);
  await sql`CREATE UNIQUE INDEX lti_documents_platform_key ON lti_documents ((doc->>'platformUrl'), (doc->>'clientId')) WHERE collection = 'platform'`.execute(db);
  await sql`CREATE UNIQUE INDEX lti_documents_kid_key ON lti_documents (collection, (doc->>'kid')) WHERE collection IN ('publickey', 'privatekey')`.execute(db);
  await sql`CREATE UNIQUE INDEX lti_documents_platform_status_key ON lti_documents ((doc->>'id')) WHERE collection = 'platformStatus'`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Files people attach to posts. An attachment is uploaded first, *pending* (its uploader's, kept
// with the draft of one form: `draft_target`, as post_drafts name it), and claimed by the post's own
// statement when the post is written (post_id set, draft_target cleared). Its bytes live in the
// configured store (server/media/storage.ts) under the key (tenant, attachment, variant); the
// embedded store keeps them in media_chunks, deleted with the row. An image is stored re-encoded
// ('full') with a thumbnail ('thumb'); other kinds as sent ('full' only). `content_hash` is the
// SHA-256 of the stored full variant: the bytes under an id never change, so it is the ETag.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE attachments (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      cohort_id uuid NOT NULL,
      membership_id uuid NOT NULL,
      post_id uuid,
      draft_target text,
      state text NOT NULL DEFAULT 'uploading' CHECK (state IN ('uploading', 'ready')),
      kind text NOT NULL CHECK (kind IN ('image', 'document', 'video')),
      content_type text NOT NULL,
      file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
      size_bytes bigint NOT NULL DEFAULT 0,
      thumb_size_bytes bigint,
      width integer,
      height integer,
      content_hash text,
      hidden_at timestamptz,
      hidden_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT attachments_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT attachments_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT attachments_membership_fkey FOREIGN KEY (tenant_id, membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT attachments_post_fkey FOREIGN KEY (tenant_id, post_id) REFERENCES posts (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT attachments_pending_or_posted CHECK ((post_id IS NULL) <> (draft_target IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX attachments_post_idx ON attachments (tenant_id, post_id)`.execute(db);
  await sql`CREATE INDEX attachments_membership_idx ON attachments (tenant_id, membership_id, draft_target)`.execute(db);
  await sql`CREATE INDEX attachments_cohort_idx ON attachments (tenant_id, cohort_id)`.execute(db);
  await sql`
    CREATE TABLE media_chunks (
      tenant_id uuid NOT NULL,
      attachment_id uuid NOT NULL,
      variant text NOT NULL CHECK (variant IN ('full', 'thumb')),
      seq integer NOT NULL,
      data bytea NOT NULL,
      CONSTRAINT media_chunks_pkey PRIMARY KEY (tenant_id, attachment_id, variant, seq),
      CONSTRAINT media_chunks_attachment_fkey FOREIGN KEY (tenant_id, attachment_id) REFERENCES attachments (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  // An object store's objects are not deleted by a cascade: every deleted attachment (by its
  // uploader, with its post, an erasure, a cohort's retention) leaves its key here, in the deleting
  // transaction, for the housekeeping sweep to delete from the store.
  await sql`
    CREATE TABLE media_deletions (
      tenant_id uuid NOT NULL,
      attachment_id uuid NOT NULL,
      deleted_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT media_deletions_pkey PRIMARY KEY (tenant_id, attachment_id)
    )`.execute(db);
  await sql`
    CREATE FUNCTION attachments_note_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO media_deletions (tenant_id, attachment_id) SELECT tenant_id, id FROM gone ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER attachments_note_deletion AFTER DELETE ON attachments
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION attachments_note_deletion()`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// An edition's versions: its content (EditionContent as JSON), numbered from 1. Edits go to the one
// draft (its revision counts saves, so a save over a newer revision is refused); publishing makes it
// a version, and a published version never changes (cohorts are pinned to it).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE edition_versions (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      edition_id uuid NOT NULL,
      number integer NOT NULL CHECK (number >= 1),
      status text NOT NULL CHECK (status IN ('draft', 'published')),
      content jsonb NOT NULL,
      revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      CONSTRAINT edition_versions_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT edition_versions_number_key UNIQUE (tenant_id, edition_id, number),
      CONSTRAINT edition_versions_published_check CHECK ((status = 'published') = (published_at IS NOT NULL)),
      CONSTRAINT edition_versions_edition_fkey FOREIGN KEY (tenant_id, edition_id) REFERENCES editions (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX edition_versions_one_draft_key ON edition_versions (tenant_id, edition_id) WHERE status = 'draft'`.execute(db);
  await sql`
    CREATE FUNCTION circlework_edition_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'edition version % is published and cannot change', OLD.id USING ERRCODE = 'check_violation';
    END $$;
    CREATE TRIGGER edition_versions_published_immutable BEFORE UPDATE ON edition_versions
      FOR EACH ROW WHEN (OLD.status = 'published') EXECUTE FUNCTION circlework_edition_version_immutable();
  `.execute(db);
}

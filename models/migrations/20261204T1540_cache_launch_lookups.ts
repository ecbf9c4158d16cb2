import { sql, type Kysely } from 'kysely';

// Launches read their platform (its row, and ltijs's platform and status documents) from the
// in-process cache (server/cache/): every change to them names a tag on the cache channel, as the
// triggers of 20261204T1200 do for what they cover.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Any change to a platform's row (its endpoints, keys' address, deployment policy, name): the
    -- cached row goes. Status and frame origins also notify 'platforms' (20261204T1200).
    CREATE FUNCTION circlework_cache_platform_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM circlework_cache_notify('platform:' || OLD.id);
      RETURN NULL;
    END $$;
    CREATE TRIGGER platforms_cache_row_update AFTER UPDATE ON platforms FOR EACH ROW
      WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION circlework_cache_platform_row();

    -- ltijs's copy of a platform and its active flag (written at registration and on status changes).
    -- Nonces, states and access tokens change on every launch and are never cached: no notice.
    CREATE FUNCTION circlework_cache_lti_platforms() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM circlework_cache_notify('lti-platforms');
      RETURN NULL;
    END $$;
    CREATE TRIGGER lti_documents_cache_insert AFTER INSERT ON lti_documents FOR EACH ROW
      WHEN (NEW.collection IN ('platform', 'platformStatus')) EXECUTE FUNCTION circlework_cache_lti_platforms();
    CREATE TRIGGER lti_documents_cache_update AFTER UPDATE ON lti_documents FOR EACH ROW
      WHEN (OLD.collection IN ('platform', 'platformStatus') OR NEW.collection IN ('platform', 'platformStatus'))
      EXECUTE FUNCTION circlework_cache_lti_platforms();
    CREATE TRIGGER lti_documents_cache_delete AFTER DELETE ON lti_documents FOR EACH ROW
      WHEN (OLD.collection IN ('platform', 'platformStatus')) EXECUTE FUNCTION circlework_cache_lti_platforms();
    CREATE TRIGGER lti_documents_cache_truncate AFTER TRUNCATE ON lti_documents FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
  `.execute(db);
}

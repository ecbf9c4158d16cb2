import { sql, type Kysely } from 'kysely';

// A page of a thread's posts reads alike for every reader (who sees what is decided after, in the
// view), and threads are read far more often than written: the app keeps each page in process memory
// (server/cache/). What a kept page holds changes with the thread's posts, their kudos, files and
// earlier versions ('thread:<tenant>:<thread>'), and with an author's or kudos giver's name, role or
// profile photo, which any page of the tenant may show ('thread-pages:<tenant>', rare). The tags go
// out on the cache channel (migration 20261204T1200), at commit, from every writer.
// Statement triggers (one NOTIFY per statement, whatever it touched): a seed or an erasure that
// touches many threads names their tenants instead, as a payload holds at most 8000 bytes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION circlework_cache_thread_pages(tenant_ids uuid[], thread_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF cardinality(thread_ids) > 50 THEN
        IF (SELECT count(DISTINCT t) FROM unnest(tenant_ids) t) > 50 THEN
          PERFORM circlework_cache_notify('*');
        ELSE
          PERFORM circlework_cache_notify((SELECT string_agg(DISTINCT 'thread-pages:' || t, ' ') FROM unnest(tenant_ids) t));
        END IF;
      ELSIF cardinality(thread_ids) > 0 THEN
        PERFORM circlework_cache_notify((SELECT string_agg('thread:' || t || ':' || th, ' ') FROM unnest(tenant_ids, thread_ids) x(t, th)));
      END IF;
    END $$;

    -- Any change of a post is one of its thread's pages (its text, status, moderation, endorsement).
    CREATE FUNCTION circlework_cache_posts_thread_pages() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE tenant_ids uuid[]; thread_ids uuid[];
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT array_agg(tenant_id), array_agg(thread_id) INTO tenant_ids, thread_ids FROM (SELECT DISTINCT tenant_id, thread_id FROM n) x;
      ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(tenant_id), array_agg(thread_id) INTO tenant_ids, thread_ids FROM (SELECT DISTINCT tenant_id, thread_id FROM o) x;
      ELSE
        SELECT array_agg(tenant_id), array_agg(thread_id) INTO tenant_ids, thread_ids FROM (SELECT tenant_id, thread_id FROM n UNION SELECT tenant_id, thread_id FROM o) x;
      END IF;
      PERFORM circlework_cache_thread_pages(tenant_ids, thread_ids);
      RETURN NULL;
    END $$;
    CREATE TRIGGER posts_cache_thread_pages_insert AFTER INSERT ON posts REFERENCING NEW TABLE AS n
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_posts_thread_pages();
    CREATE TRIGGER posts_cache_thread_pages_update AFTER UPDATE ON posts REFERENCING OLD TABLE AS o NEW TABLE AS n
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_posts_thread_pages();
    CREATE TRIGGER posts_cache_thread_pages_delete AFTER DELETE ON posts REFERENCING OLD TABLE AS o
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_posts_thread_pages();

    -- Rows that belong to a post (kudos, earlier versions, files): the thread of that post. A row
    -- removed with its post finds no post here; the post's own trigger named its thread.
    CREATE FUNCTION circlework_cache_post_rows_thread_pages() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE tenant_ids uuid[]; thread_ids uuid[];
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT array_agg(tenant_id), array_agg(thread_id) INTO tenant_ids, thread_ids FROM (
          SELECT DISTINCT p.tenant_id, p.thread_id FROM n JOIN posts p ON p.tenant_id = n.tenant_id AND p.id = n.post_id) x;
      ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(tenant_id), array_agg(thread_id) INTO tenant_ids, thread_ids FROM (
          SELECT DISTINCT p.tenant_id, p.thread_id FROM o JOIN posts p ON p.tenant_id = o.tenant_id AND p.id = o.post_id) x;
      ELSE
        SELECT array_agg(tenant_id), array_agg(thread_id) INTO tenant_ids, thread_ids FROM (
          SELECT DISTINCT p.tenant_id, p.thread_id FROM (SELECT tenant_id, post_id FROM n UNION SELECT tenant_id, post_id FROM o) r
          JOIN posts p ON p.tenant_id = r.tenant_id AND p.id = r.post_id) x;
      END IF;
      PERFORM circlework_cache_thread_pages(tenant_ids, thread_ids);
      RETURN NULL;
    END $$;
    CREATE TRIGGER kudos_cache_thread_pages_insert AFTER INSERT ON kudos REFERENCING NEW TABLE AS n
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_post_rows_thread_pages();
    CREATE TRIGGER kudos_cache_thread_pages_update AFTER UPDATE ON kudos REFERENCING OLD TABLE AS o NEW TABLE AS n
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_post_rows_thread_pages();
    CREATE TRIGGER kudos_cache_thread_pages_delete AFTER DELETE ON kudos REFERENCING OLD TABLE AS o
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_post_rows_thread_pages();
    CREATE TRIGGER post_revisions_cache_thread_pages_insert AFTER INSERT ON post_revisions REFERENCING NEW TABLE AS n
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_post_rows_thread_pages();
    CREATE TRIGGER post_revisions_cache_thread_pages_delete AFTER DELETE ON post_revisions REFERENCING OLD TABLE AS o
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_post_rows_thread_pages();

    -- Files: a post's (added, hidden, shown again, removed) are its thread's; a profile photo shows
    -- beside its person's posts on any page of the tenant. Drafts' files name nothing.
    CREATE FUNCTION circlework_cache_attachments_thread_pages() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE tenant_ids uuid[]; post_ids uuid[]; photo_ofs uuid[]; thread_tenants uuid[]; thread_ids uuid[]; photo_tenants text;
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT array_agg(tenant_id), array_agg(post_id), array_agg(photo_of) INTO tenant_ids, post_ids, photo_ofs FROM n WHERE post_id IS NOT NULL OR photo_of IS NOT NULL;
      ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(tenant_id), array_agg(post_id), array_agg(photo_of) INTO tenant_ids, post_ids, photo_ofs FROM o WHERE post_id IS NOT NULL OR photo_of IS NOT NULL;
      ELSE
        SELECT array_agg(tenant_id), array_agg(post_id), array_agg(photo_of) INTO tenant_ids, post_ids, photo_ofs FROM (
          SELECT tenant_id, post_id, photo_of FROM n UNION ALL SELECT tenant_id, post_id, photo_of FROM o) x WHERE post_id IS NOT NULL OR photo_of IS NOT NULL;
      END IF;
      IF tenant_ids IS NULL THEN RETURN NULL; END IF;
      SELECT array_agg(tenant_id), array_agg(thread_id) INTO thread_tenants, thread_ids FROM (
        SELECT DISTINCT p.tenant_id, p.thread_id FROM unnest(tenant_ids, post_ids) a(tenant_id, post_id) JOIN posts p ON p.tenant_id = a.tenant_id AND p.id = a.post_id) x;
      PERFORM circlework_cache_thread_pages(thread_tenants, thread_ids);
      SELECT string_agg(DISTINCT 'thread-pages:' || t, ' ') INTO photo_tenants FROM unnest(tenant_ids, photo_ofs) x(t, photo_of) WHERE photo_of IS NOT NULL;
      IF photo_tenants IS NOT NULL THEN PERFORM circlework_cache_notify(photo_tenants); END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER attachments_cache_thread_pages_insert AFTER INSERT ON attachments REFERENCING NEW TABLE AS n
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_attachments_thread_pages();
    CREATE TRIGGER attachments_cache_thread_pages_update AFTER UPDATE ON attachments REFERENCING OLD TABLE AS o NEW TABLE AS n
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_attachments_thread_pages();
    CREATE TRIGGER attachments_cache_thread_pages_delete AFTER DELETE ON attachments REFERENCING OLD TABLE AS o
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_attachments_thread_pages();

    -- A person's name and a membership's role show beside posts and kudos on any page of the tenant
    -- (launches and roster syncs write every row again: only real changes notify).
    CREATE FUNCTION circlework_cache_people_thread_pages() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM circlework_cache_notify('thread-pages:' || OLD.tenant_id);
      RETURN NULL;
    END $$;
    CREATE TRIGGER persons_cache_thread_pages AFTER UPDATE ON persons FOR EACH ROW
      WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION circlework_cache_people_thread_pages();
    CREATE TRIGGER memberships_cache_thread_pages AFTER UPDATE ON memberships FOR EACH ROW
      WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.person_id IS DISTINCT FROM NEW.person_id) EXECUTE FUNCTION circlework_cache_people_thread_pages();

    CREATE TRIGGER kudos_cache_truncate AFTER TRUNCATE ON kudos FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
    CREATE TRIGGER post_revisions_cache_truncate AFTER TRUNCATE ON post_revisions FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
    CREATE TRIGGER attachments_cache_truncate AFTER TRUNCATE ON attachments FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
    CREATE TRIGGER persons_cache_truncate AFTER TRUNCATE ON persons FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
  `.execute(db);
}

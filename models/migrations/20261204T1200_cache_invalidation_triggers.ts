import { sql, type Kysely } from 'kysely';

// In-process caches (server/cache/) are invalidated across processes through NOTIFY on one channel.
// Triggers send it, so every writer (launch, roster sync, admin console, platform CLI, a psql session)
// does, in its own transaction: the NOTIFY is delivered at commit and never on rollback. The payload
// names the tags to drop, space-separated; '*' drops everything (TRUNCATE fires no row triggers).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION circlework_cache_notify(tags text) RETURNS void LANGUAGE sql AS
      $$ SELECT pg_notify('circlework_cache', tags) $$;

    -- A platform's status or frame origins: the CSP of every page and every launch's standing.
    CREATE FUNCTION circlework_cache_platforms() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM circlework_cache_notify('platforms');
      RETURN NULL;
    END $$;
    CREATE TRIGGER platforms_cache_insert_delete AFTER INSERT OR DELETE ON platforms
      FOR EACH ROW EXECUTE FUNCTION circlework_cache_platforms();
    CREATE TRIGGER platforms_cache_update AFTER UPDATE ON platforms FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.frame_origins IS DISTINCT FROM NEW.frame_origins)
      EXECUTE FUNCTION circlework_cache_platforms();

    -- A tenant's (deployment's) status: the standing of every membership in it.
    CREATE FUNCTION circlework_cache_tenants() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM circlework_cache_notify('tenant:' || OLD.id);
      RETURN NULL;
    END $$;
    CREATE TRIGGER tenants_cache_update AFTER UPDATE ON tenants FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.platform_id IS DISTINCT FROM NEW.platform_id)
      EXECUTE FUNCTION circlework_cache_tenants();
    CREATE TRIGGER tenants_cache_delete AFTER DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION circlework_cache_tenants();

    -- A membership's status or role (roster sync and launches upsert every row: only real changes notify).
    CREATE FUNCTION circlework_cache_memberships() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM circlework_cache_notify('membership:' || OLD.tenant_id || ':' || OLD.id);
      RETURN NULL;
    END $$;
    CREATE TRIGGER memberships_cache_update AFTER UPDATE ON memberships FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.role IS DISTINCT FROM NEW.role)
      EXECUTE FUNCTION circlework_cache_memberships();
    CREATE TRIGGER memberships_cache_delete AFTER DELETE ON memberships FOR EACH ROW EXECUTE FUNCTION circlework_cache_memberships();

    -- A cohort's row (its title at each launch, the roster's sync time): the pages that show it.
    CREATE FUNCTION circlework_cache_cohorts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM circlework_cache_notify('cohort:' || OLD.tenant_id || ':' || OLD.id);
      RETURN NULL;
    END $$;
    CREATE TRIGGER cohorts_cache_update_delete AFTER UPDATE OR DELETE ON cohorts FOR EACH ROW EXECUTE FUNCTION circlework_cache_cohorts();

    -- The unread count a membership's standing carries: a notification arrives, is read, or goes.
    CREATE FUNCTION circlework_cache_notifications() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        PERFORM circlework_cache_notify('membership:' || OLD.tenant_id || ':' || OLD.membership_id);
      ELSE
        PERFORM circlework_cache_notify('membership:' || NEW.tenant_id || ':' || NEW.membership_id);
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER notifications_cache_insert_delete AFTER INSERT OR DELETE ON notifications
      FOR EACH ROW EXECUTE FUNCTION circlework_cache_notifications();
    CREATE TRIGGER notifications_cache_update AFTER UPDATE ON notifications FOR EACH ROW
      WHEN (OLD.read_at IS DISTINCT FROM NEW.read_at) EXECUTE FUNCTION circlework_cache_notifications();

    -- A post hidden, deleted or restored: mentions of it stop or start counting as unread.
    CREATE FUNCTION circlework_cache_post_status() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE tags text[];
    BEGIN
      SELECT array_agg(DISTINCT 'membership:' || n.tenant_id || ':' || n.membership_id) INTO tags
        FROM notifications n WHERE n.tenant_id = NEW.tenant_id AND n.post_id = NEW.id AND n.read_at IS NULL;
      -- A payload holds at most 8000 bytes: a post that mentioned many drops its whole tenant's standings.
      IF cardinality(tags) > 50 THEN PERFORM circlework_cache_notify('tenant:' || NEW.tenant_id);
      ELSIF cardinality(tags) > 0 THEN PERFORM circlework_cache_notify(array_to_string(tags, ' '));
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER posts_cache_status AFTER UPDATE ON posts FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION circlework_cache_post_status();

    -- A session saved again or destroyed (logout, a new launch): other processes drop their copy.
    -- Pruning expired rows notifies nothing: a cached session is dropped at its own expiry.
    CREATE FUNCTION circlework_cache_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM circlework_cache_notify('session:' || OLD.sid);
      RETURN NULL;
    END $$;
    CREATE TRIGGER http_sessions_cache_update AFTER UPDATE ON http_sessions FOR EACH ROW EXECUTE FUNCTION circlework_cache_sessions();
    CREATE TRIGGER http_sessions_cache_delete AFTER DELETE ON http_sessions FOR EACH ROW
      WHEN (OLD.expire > now()) EXECUTE FUNCTION circlework_cache_sessions();

    CREATE FUNCTION circlework_cache_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM circlework_cache_notify('*');
      RETURN NULL;
    END $$;
    CREATE TRIGGER platforms_cache_truncate AFTER TRUNCATE ON platforms FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
    CREATE TRIGGER tenants_cache_truncate AFTER TRUNCATE ON tenants FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
    CREATE TRIGGER cohorts_cache_truncate AFTER TRUNCATE ON cohorts FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
    CREATE TRIGGER memberships_cache_truncate AFTER TRUNCATE ON memberships FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
    CREATE TRIGGER notifications_cache_truncate AFTER TRUNCATE ON notifications FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
    CREATE TRIGGER posts_cache_truncate AFTER TRUNCATE ON posts FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
    CREATE TRIGGER http_sessions_cache_truncate AFTER TRUNCATE ON http_sessions FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
  `.execute(db);
}

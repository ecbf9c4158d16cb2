import { sql, type Kysely } from 'kysely';

// A cohort's analytics settings (quiet days, names shown, relationship analytics on) are read by every
// facilitator page and the learner's own network, and changed only when a facilitator saves them:
// the app keeps them in process memory (server/cache/). A change names the cohort's tag on the cache
// channel (migration 20261204T1200), at commit.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION circlework_cache_analytics_settings() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM circlework_cache_notify('analytics-settings:' || OLD.tenant_id || ':' || OLD.cohort_id);
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM circlework_cache_notify('analytics-settings:' || NEW.tenant_id || ':' || NEW.cohort_id);
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER cohort_analytics_settings_cache AFTER INSERT OR UPDATE OR DELETE ON cohort_analytics_settings
      FOR EACH ROW EXECUTE FUNCTION circlework_cache_analytics_settings();
    CREATE TRIGGER cohort_analytics_settings_cache_truncate AFTER TRUNCATE ON cohort_analytics_settings FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
  `.execute(db);
}

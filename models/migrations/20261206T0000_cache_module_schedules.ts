import { sql, type Kysely } from 'kysely';

// A cohort's module schedule is read by the hub, every module page and the facilitator's pages, and
// changed only when a facilitator saves it: the app keeps it in process memory (server/cache/). A
// change names the cohort's tag on the cache channel (migration 20261204T1200), at commit.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION circlework_cache_module_schedules() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- An update names the row's cohort before and after (the same tag twice is sent once).
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM circlework_cache_notify('schedule:' || OLD.tenant_id || ':' || OLD.cohort_id);
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM circlework_cache_notify('schedule:' || NEW.tenant_id || ':' || NEW.cohort_id);
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER module_schedules_cache AFTER INSERT OR UPDATE OR DELETE ON module_schedules
      FOR EACH ROW EXECUTE FUNCTION circlework_cache_module_schedules();
    CREATE TRIGGER module_schedules_cache_truncate AFTER TRUNCATE ON module_schedules FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
  `.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Every launch upserts its cohort's row (title, label, NRPS URL) and moves updated_at, so the
// cohort trigger told every process to drop the cohort from its cache at every launch. Now it tells
// them only when something but updated_at changed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER cohorts_cache_update_delete ON cohorts;
    CREATE TRIGGER cohorts_cache_update AFTER UPDATE ON cohorts FOR EACH ROW
      WHEN ((to_jsonb(OLD) - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at'))
      EXECUTE FUNCTION circlework_cache_cohorts();
    CREATE TRIGGER cohorts_cache_delete AFTER DELETE ON cohorts FOR EACH ROW EXECUTE FUNCTION circlework_cache_cohorts();
  `.execute(db);
}

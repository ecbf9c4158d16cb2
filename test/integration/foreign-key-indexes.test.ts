// Every foreign key has an index that starts with its columns, so a lookup or a cascading delete by
// it never scans the whole table (at 1 M posts a missing one cost the thread page 90 % of its
// throughput: post_revisions by post). A partial index does not count: it serves only its predicate. A key
// that is never filtered by any other way may be allowed below, with why.
import { expect } from 'chai';
import { sql } from 'kysely';
import { openTestDb } from '../support/test-database.ts';

/** `table(columns)` of foreign keys that need no index of their own. */
const ALLOWED: Record<string, string> = {
  'post_flags(tenant_id, cohort_id)': 'the moderation queue reads open flags only, by the partial post_flags_queue_idx; a cohort holds few flags',
  'member_mutes(tenant_id, membership_id)': 'only the unlifted mute is ever looked up, by the partial member_mutes_one_unlifted_idx; a member has few mutes',
  // An attachment has one owner: each owner column is indexed where it is set, and an equality
  // (the cascade's look-up) implies IS NOT NULL, so the partial index serves it.
  'attachments(tenant_id, photo_of)': 'the unique partial attachments_photo_of_idx (WHERE photo_of IS NOT NULL)',
  'attachments(tenant_id, response_id)': 'the partial attachments_response_idx (WHERE response_id IS NOT NULL)',
  'attachments(tenant_id, check_in_id)': 'the partial attachments_check_in_idx (WHERE check_in_id IS NOT NULL)',
};

describe('foreign key indexes', () => {
  it('every foreign key is the leading columns of some index', async () => {
    const handle = openTestDb(1);
    try {
      const { rows } = await sql<{ key: string }>`
        SELECT format('%s(%s)', c.conrelid::regclass, string_agg(a.attname, ', ' ORDER BY k.n)) AS key
        FROM pg_constraint c
        CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          AND NOT EXISTS (
            SELECT 1 FROM pg_index i
            WHERE i.indrelid = c.conrelid AND i.indpred IS NULL
              AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
              AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)
        GROUP BY c.conrelid, c.conname
        ORDER BY 1`.execute(handle.db);
      const missing = rows.map((r) => r.key).filter((k) => !(k in ALLOWED));
      expect(missing, 'foreign keys without an index starting with their columns').to.deep.equal([]);
    } finally {
      await handle.close();
    }
  });
});

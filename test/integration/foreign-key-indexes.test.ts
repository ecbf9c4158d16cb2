// Every foreign key has an index that starts with its columns, so a lookup or a cascading delete by
// it never scans the whole table (at 1 M posts a missing one cost the thread page 90 % of its
// throughput: post_revisions by post). A key that is never filtered by may be allowed below, with why.
import { expect } from 'chai';
import { sql } from 'kysely';
import { openTestDb } from '../support/test-database.ts';

/** `table(columns)` of foreign keys that need no index of their own. */
const ALLOWED: Record<string, string> = {};

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
            WHERE i.indrelid = c.conrelid
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

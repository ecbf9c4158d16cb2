// PERSON_DATA (models/export.queries.ts) is the one list of tables holding something of a person:
// every table with a column naming a person or a membership must be in it, so a new table cannot
// be missed by the export and by erasure.
import { expect } from 'chai';
import { sql } from 'kysely';
import { openTestDb } from '../support/test-database.ts';
import { PERSON_DATA } from '../../models/export.queries.ts';

/** Tables whose person columns are not personal data of their own, with why. */
const NOT_PERSONAL: Record<string, string> = {
  personal_export_chunks: 'the zip of a personal_exports row, deleted with it',
  cohort_figures: 'cohort aggregates only',
};

describe('tables holding a person’s data', () => {
  it('lists every table with a person or membership column in PERSON_DATA', async () => {
    const handle = openTestDb(1);
    try {
      const { rows } = await sql<{ table: string }>`
        SELECT DISTINCT table_name AS "table" FROM information_schema.columns
        WHERE table_schema = 'public' AND (column_name ~ '(^|_)(person|membership)_id$' OR (table_name = 'persons' AND column_name = 'id'))
        ORDER BY 1`.execute(handle.db);
      const missing = rows.map((r) => r.table).filter((t) => !(t in PERSON_DATA) && !(t in NOT_PERSONAL));
      expect(missing, 'tables holding a person’s data but not in PERSON_DATA').to.deep.equal([]);
    } finally {
      await handle.close();
    }
  });
});

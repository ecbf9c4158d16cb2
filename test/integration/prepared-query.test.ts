// preparedQuery on the real database: built and compiled once, then each call's values bound in the
// right places (constants of the query kept), the same rows and camelCase keys as the query built
// afresh, inside a transaction too; a parameter that does not reach the SQL as a value is refused.
import { expect } from 'chai';
import { sql, type Kysely } from 'kysely';
import { openTestDb } from '../support/test-database.ts';
import { preparedQuery, withTransaction, type DbHandle, type Executor } from '../../models/db.ts';

describe('preparedQuery', () => {
  let handle: DbHandle;
  before(async () => {
    handle = openTestDb(2);
    await sql`CREATE TABLE IF NOT EXISTS prepared_probe (id int PRIMARY KEY, kind text NOT NULL, owner_name text NOT NULL)`.execute(handle.db);
    await sql`TRUNCATE prepared_probe`.execute(handle.db);
    await sql`INSERT INTO prepared_probe VALUES (1, 'a', 'Ann'), (2, 'b', 'Ben'), (3, 'a', 'Cai'), (4, 'a', 'Dee')`.execute(handle.db);
  });
  after(async () => {
    await sql`DROP TABLE IF EXISTS prepared_probe`.execute(handle.db);
    await handle.close();
  });

  // The probe table is not in the schema's types.
  const probe = (ex: Executor) => (ex as unknown as Kysely<{ preparedProbe: { id: number; kind: string; ownerName: string } }>).selectFrom('preparedProbe');
  const fresh = (ex: Executor, p: { kind: string; above: number; limit: number }) =>
    probe(ex).select(['id', 'ownerName']).where('kind', '=', p.kind).where('id', '>', p.above).where('ownerName', '<>', 'Dee').orderBy('id').limit(p.limit);

  it('builds the query once and binds each call’s values, keeping the query’s own constants', async () => {
    let builds = 0;
    const listProbes = preparedQuery((ex, p: { kind: string; above: number; limit: number }) => (builds++, fresh(ex, p)));
    expect(await listProbes(handle.db, { kind: 'a', above: 0, limit: 10 })).to.deep.equal([{ id: 1, ownerName: 'Ann' }, { id: 3, ownerName: 'Cai' }]);
    expect(await listProbes(handle.db, { kind: 'a', above: 1, limit: 1 })).to.deep.equal([{ id: 3, ownerName: 'Cai' }]);
    expect(await listProbes(handle.db, { kind: 'b', above: 0, limit: 10 })).to.deep.equal(await fresh(handle.db, { kind: 'b', above: 0, limit: 10 }).execute());
    expect(builds).to.equal(1);
  });

  it('runs inside a transaction, on the transaction’s connection', async () => {
    const listProbes = preparedQuery((ex, p: { kind: string; above: number; limit: number }) => fresh(ex, p));
    const rows = await withTransaction(handle.db, async (tx) => {
      await sql`INSERT INTO prepared_probe VALUES (9, 'a', 'Eve')`.execute(tx);
      const seen = await listProbes(tx, { kind: 'a', above: 3, limit: 10 });
      await sql`DELETE FROM prepared_probe WHERE id = 9`.execute(tx);
      return seen;
    });
    expect(rows).to.deep.equal([{ id: 9, ownerName: 'Eve' }]);
  });

  it('refuses a parameter that does not reach the SQL as a value (the shape would be fixed by its first value)', async () => {
    const shifted = preparedQuery((ex, p: { kind: string; above: number }) => probe(ex).select('id').where('kind', '=', p.kind).where(sql<boolean>`id > ${sql.raw(`${p.above}1`)}`));
    let error: unknown;
    await shifted(handle.db, { kind: 'a', above: 0 }).catch((err: unknown) => (error = err));
    expect(String(error)).to.match(/parameter above does not reach the SQL/);
  });

  it('runs its SQL as a named statement, planned once per connection, and leaves other SQL unnamed', async () => {
    const one = openTestDb(1); // one connection: the statements below all run on it
    try {
      const listProbes = preparedQuery((ex, p: { kind: string; above: number; limit: number }) => fresh(ex, p));
      const named = async () => (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'cw\_%'`.execute(one.db)).rows.map((r) => r.statement);
      await probe(one.db).select('id').where('kind', '=', 'b').execute();
      expect(await named(), 'a query built afresh is not named').to.deep.equal([]);
      expect(await listProbes(one.db, { kind: 'a', above: 0, limit: 10 })).to.have.length(2);
      expect(await listProbes(one.db, { kind: 'b', above: 0, limit: 10 })).to.deep.equal([{ id: 2, ownerName: 'Ben' }]);
      const statements = await named();
      expect(statements).to.have.length(1);
      expect(statements[0]).to.contain('prepared_probe');
    } finally {
      await one.close();
    }
  });
});

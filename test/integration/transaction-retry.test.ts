// withRetryingTransaction on the real database: a real deadlock (two transactions locking two rows in
// opposite order) is retried and then commits; other errors and a conflict that never ends are not
// retried for ever.
import { expect } from 'chai';
import { sql } from 'kysely';
import { openTestDb } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';
import { withRetryingTransaction, type DbHandle } from '../../models/db.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('withRetryingTransaction', () => {
  let handle: DbHandle;
  before(async () => {
    handle = openTestDb(4);
    await sql`CREATE TABLE IF NOT EXISTS retry_probe (id int PRIMARY KEY, n int NOT NULL)`.execute(handle.db);
  });
  after(async () => {
    await sql`DROP TABLE IF EXISTS retry_probe`.execute(handle.db);
    await handle.close();
  });
  beforeEach(async () => {
    await sql`TRUNCATE retry_probe`.execute(handle.db);
    await sql`INSERT INTO retry_probe (id, n) VALUES (1, 0), (2, 0)`.execute(handle.db);
  });

  it('runs a transaction again when PostgreSQL ends it to break a deadlock (40P01), and the retry commits', async () => {
    const firstHoldsRow1 = deferred();
    const otherHoldsRow2 = deferred();
    const retries: Array<Record<string, unknown>> = [];
    let attempts = 0;
    const retried = withRetryingTransaction(
      handle.db,
      async (tx) => {
        attempts++;
        await sql`UPDATE retry_probe SET n = n + 1 WHERE id = 1`.execute(tx);
        if (attempts === 1) {
          firstHoldsRow1.resolve();
          await otherHoldsRow2.promise;
        }
        await sql`UPDATE retry_probe SET n = n + 1 WHERE id = 2`.execute(tx);
        return attempts;
      },
      { name: 'probe', log: { warn: (obj) => retries.push(obj as Record<string, unknown>) } },
    );
    await firstHoldsRow1.promise;
    const other = handle.db.transaction().execute(async (tx) => {
      await sql`UPDATE retry_probe SET n = n + 10 WHERE id = 2`.execute(tx);
      const { rows: [self] } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(tx);
      otherHoldsRow2.resolve();
      // Closes the cycle only once the first is waiting for row 2: it has then waited longer, so its
      // deadlock check (deadlock_timeout after it began to wait) runs first and PostgreSQL ends it.
      // Not SET deadlock_timeout, which only a superuser may (a TEST_DATABASE_URL role need not be one).
      await waitFor('the first transaction to wait for row 2', async () =>
        (await sql`SELECT 1 FROM pg_stat_activity WHERE ${self!.pid}::int = ANY (pg_blocking_pids(pid))`.execute(handle.db)).rows.length > 0);
      await sql`UPDATE retry_probe SET n = n + 10 WHERE id = 1`.execute(tx);
    });

    const [committedOnAttempt] = await Promise.all([retried, other]);
    expect(committedOnAttempt).to.equal(2);
    expect(retries).to.have.length(1);
    expect(retries[0]).to.include({ transaction: 'probe', attempt: 1 });
    expect((retries[0]!.err as { code: string }).code).to.equal('40P01');
    // Both transactions' work is there once: the first attempt's was rolled back whole.
    const rows = await sql<{ id: number; n: number }>`SELECT id, n FROM retry_probe ORDER BY id`.execute(handle.db);
    expect(rows.rows).to.deep.equal([{ id: 1, n: 11 }, { id: 2, n: 11 }]);
  });

  it('gives up after the attempts it was given, throwing the last serialization failure (40001)', async () => {
    let attempts = 0;
    const err = await withRetryingTransaction(
      handle.db,
      async () => {
        attempts++;
        throw Object.assign(new Error('could not serialize access'), { code: '40001' });
      },
      { name: 'always-conflicts', attempts: 3, baseDelayMs: 1 },
    ).catch((e: unknown) => e);
    expect(attempts).to.equal(3);
    expect(err).to.have.property('code', '40001');
  });

  it('does not retry any other error', async () => {
    let attempts = 0;
    const err = await withRetryingTransaction(
      handle.db,
      async (tx) => {
        attempts++;
        await sql`INSERT INTO retry_probe (id, n) VALUES (1, 0)`.execute(tx);
      },
      { name: 'duplicate' },
    ).catch((e: unknown) => e);
    expect(attempts).to.equal(1);
    expect(err).to.have.property('code', '23505');
  });
});

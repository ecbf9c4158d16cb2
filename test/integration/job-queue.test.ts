import { expect } from 'chai';
import { sql } from 'kysely';
import { startTestJobQueue } from '../support/test-jobs.ts';
import { openTestDb } from '../support/test-database.ts';
import type { JobQueue } from '../../server/jobs/job-queue.ts';
import type { DbHandle } from '../../models/db.ts';

describe('job queue (pg-boss)', () => {
  let queue: JobQueue;
  let handle: DbHandle;
  before(async () => {
    queue = await startTestJobQueue();
    handle = openTestDb();
    await queue.boss.createQueue('test-echo');
  });
  after(async () => {
    await queue.stop();
    await handle.close();
  });

  it('sends a job inside a transaction only when the transaction commits', async () => {
    const seen: string[] = [];
    await queue.boss.work<{ word: string }>('test-echo', { pollingIntervalSeconds: 0.5 }, async ([job]) => {
      seen.push(job!.data.word);
    });
    // The rolled-back one goes first: by the time the committed one is worked, it would have been too.
    await handle.db
      .transaction()
      .execute(async (tx) => {
        await queue.sendInTransaction(tx, 'test-echo', { word: 'rolled-back' });
        await sql`select 1/0`.execute(tx);
      })
      .catch(() => undefined);
    await handle.db.transaction().execute(async (tx) => {
      await queue.sendInTransaction(tx, 'test-echo', { word: 'committed' });
    });
    for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen).to.deep.equal(['committed']);
    // And no job of the rolled-back transaction exists to be worked later.
    const stored = await sql<{ word: string }>`select data->>'word' as word from pgboss.job where name = 'test-echo'`.execute(handle.db);
    expect(stored.rows.map((r) => r.word)).to.deep.equal(['committed']);
  });
});

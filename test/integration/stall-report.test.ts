// A test request that never gets an answer fails with what the app's database work was waiting on
// (test/support/stall-report.ts), not with a bare timeout: here a hub visit held up by a lock.
import { expect } from 'chai';
import pg from 'pg';
import { cohortSuite } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { requestTimeouts } from '../support/lti-http-client.ts';
import { waitFor } from '../support/wait.ts';

describe('a stalled test request', () => {
  const { env, launch } = cohortSuite({ context: { id: 'stall', title: 'Stall' } });
  const usual = { ...requestTimeouts };
  afterEach(() => Object.assign(requestTimeouts, usual));

  it('times out naming the pool, the waiting backend and the lock it waits for', async () => {
    const m = await launch({ sub: 'held', name: 'Held', roles: [ROLES.learner] });
    const holder = new pg.Client({ connectionString: String(env.app.handle.pool.options.connectionString) });
    await holder.connect();
    try {
      const { pid } = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!;
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE memberships IN ACCESS EXCLUSIVE MODE');
      Object.assign(requestTimeouts, { stallMs: 300, timeoutMs: 3_000 });
      const error = await m.browser.request(m.base).then(() => undefined, (err: Error) => err);
      expect(error?.message).to.match(/^LtiHttpClient: timeout on GET /);
      expect(error?.message).to.match(/pool \d+ connections, \d+ idle, \d+ waiting for one/);
      expect(error?.message).to.include(`lock held by ${pid}`);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    // The app's backend that waited goes on once the lock is gone: nothing is left stuck for the next test.
    await waitFor('the held request to finish in PostgreSQL', async () => (await env.app.handle.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')).rows[0]!.n === 0);
  });
});

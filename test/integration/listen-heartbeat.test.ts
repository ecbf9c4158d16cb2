// A LISTEN connection whose backend stops answering (no error, no end: a stalled process or a
// dropped network path) is found out by its heartbeat, dropped and made again; until then nobody
// may rely on it (onDown), after it they may (onUp). The backend is stopped for real (SIGSTOP).
import { expect } from 'chai';
import { sql } from 'kysely';
import { listenToChannel } from '../../models/listen.ts';
import { openTestDb, testDatabaseUrl } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';

const NAME = 'circlework-heartbeat-test';

describe('a LISTEN connection’s heartbeat', () => {
  it('drops a listener whose backend stopped answering and listens again on a new one', async function () {
    // Signalling the backend needs our own embedded server on this machine, run by a user we may signal.
    if (process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || process.getuid?.() !== 0) this.skip();
    const handle = openTestDb(1);
    const events: string[] = [];
    const heard: string[] = [];
    const listener = listenToChannel(testDatabaseUrl(), 'heartbeat_probe', {
      onPayload: (p) => heard.push(p),
      onError: () => events.push('error'),
      onUp: () => events.push('up'),
      onDown: () => events.push('down'),
      applicationName: NAME,
      heartbeatMs: 300,
    });
    let stopped: number | undefined;
    try {
      await listener.ready;
      const backend = async () => (await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE application_name = ${NAME} AND datname = current_database()`.execute(handle.db)).rows.map((r) => r.pid);
      const [first] = await backend();
      expect(first).to.be.a('number');
      process.kill(first!, 'SIGSTOP');
      stopped = first;
      await waitFor('the listener to be given up', async () => events.includes('down'));
      await waitFor('a new listener', async () => events.filter((e) => e === 'up').length === 2);
      const now = await backend();
      expect(now.filter((pid) => pid !== first), 'a new backend').to.have.length(1);
      // The new connection hears what is sent now.
      await sql`SELECT pg_notify('heartbeat_probe', 'after')`.execute(handle.db);
      await waitFor('the notification on the new connection', async () => heard.includes('after'));
    } finally {
      if (stopped) {
        process.kill(stopped, 'SIGCONT');
        await sql`SELECT pg_terminate_backend(${stopped}::int)`.execute(handle.db).catch(() => undefined);
      }
      await listener.close();
      await handle.close();
    }
  });
});

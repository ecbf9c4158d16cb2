// The embedded PostgreSQL is reached through a Unix socket in its data dir (cheaper per round trip
// than TCP on loopback), and through TCP on loopback when that socket's path would be too long.
import { expect } from 'chai';
import { sql } from 'kysely';
import { embeddedUrl, socketDir } from '../../models/embedded-postgres.ts';
import { openTestDb, testDatabaseUrl } from '../support/test-database.ts';

describe('the embedded PostgreSQL’s Unix socket', () => {
  it('puts the socket in the data dir, and falls back to TCP when the path is too long for a socket', () => {
    expect(socketDir('/srv/circlework/data/postgres', 54329)).to.equal('/srv/circlework/data/postgres');
    expect(embeddedUrl('/srv/circlework/data/postgres', 54329, 'circlework')).to.match(/@127\.0\.0\.1:54329\/circlework\?host=%2Fsrv%2Fcirclework%2Fdata%2Fpostgres$/);
    const deep = `/home/someone/${'a-long-folder-name/'.repeat(5)}data/postgres`;
    expect(socketDir(deep, 54329)).to.equal(undefined);
    expect(embeddedUrl(deep, 54329, 'circlework')).to.equal('postgres://postgres:circlework-embedded@127.0.0.1:54329/circlework');
  });

  it('connects the app through the socket when the tests run their own embedded server', async function () {
    if (process.env.TEST_DATABASE_URL || process.env.DATABASE_URL) this.skip();
    expect(testDatabaseUrl()).to.include('?host=');
    const handle = openTestDb(1);
    try {
      // A connection through a Unix socket has no server address.
      const { rows } = await sql<{ addr: string | null }>`SELECT inet_server_addr()::text AS addr`.execute(handle.db);
      expect(rows[0]!.addr).to.equal(null);
    } finally {
      await handle.close();
    }
  });
});

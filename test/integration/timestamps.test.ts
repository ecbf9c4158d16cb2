// timestamptz as our connections read it (models/timestamps.ts): by position when PostgreSQL writes
// it in UTC, by pg's own parser otherwise; the same instant either way, read from a real server.
import { expect } from 'chai';
import pg from 'pg';
import { sql } from 'kysely';
import { openTestDb } from '../support/test-database.ts';
import { connectionTypes, parseTimestamptz } from '../../models/timestamps.ts';

const general = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (text: string) => Date | number | null;
const time = (v: Date | number | null) => (v instanceof Date ? v.getTime() : v);

describe('timestamptz values read by our connections', () => {
  let handle: ReturnType<typeof openTestDb>;
  before(() => {
    handle = openTestDb(1);
  });
  after(() => handle.close());

  it('reads every form PostgreSQL writes as the general parser does', () => {
    const forms = [
      '2026-12-05 17:06:52+00', '2026-12-05 17:06:52.7+00', '2026-12-05 17:06:52.75+00', '2026-12-05 17:06:52.757+00', '2026-12-05 17:06:52.757123+00', '2026-12-05 17:06:52.999999+00',
      '2024-02-29 23:59:59.5+00', '1970-01-01 00:00:00+00', '1969-12-31 23:59:59.999+00', '0100-03-01 12:00:00+00', '9999-12-31 23:59:59.999999+00',
      // not read by position: years before 100 or past 9999, BC, other offsets, infinity
      '0099-01-01 00:00:00+00', '0001-01-01 00:00:00+00 BC', '12000-01-01 00:00:00+00', '2026-12-05 18:06:52.757+01', '2026-12-05 12:06:52-05', '2026-12-05 22:36:52+05:30', 'infinity', '-infinity',
    ];
    for (const text of forms) expect(time(parseTimestamptz(text)), text).to.equal(time(general(text)));
    // and a spread of instants, each with 0 to 6 fraction digits
    for (let i = 0; i < 2000; i++) {
      const at = new Date(Date.UTC(100, 0, 1) + Math.floor(Math.random() * (Date.UTC(9999, 11, 31) - Date.UTC(100, 0, 1))));
      const fraction = String(Math.floor(Math.random() * 1e6)).padStart(6, '0').slice(0, i % 7);
      const text = `${at.toISOString().slice(0, 19).replace('T', ' ')}${fraction ? `.${fraction}` : ''}+00`;
      expect(time(parseTimestamptz(text)), text).to.equal(time(general(text)));
    }
  });

  it('reads the same instants from the server, whatever the session’s time zone', async () => {
    expect((handle.pool as unknown as { options: { types: unknown } }).options.types, 'every connection of ours reads them so').to.equal(connectionTypes);
    const instants = ['2026-12-05T17:06:52.757123Z', '2024-02-29T23:59:59Z', '0150-06-01T00:00:00.5Z', '1999-12-31T23:59:59.999999Z'];
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/New_York']) {
      const rows = await handle.db.connection().execute(async (db) => {
        await sql`SELECT set_config('TimeZone', ${zone}, false)`.execute(db);
        return (await sql<{ at: Date; text: string }>`SELECT x AS at, x::text AS text FROM unnest(${instants}::timestamptz[]) x`.execute(db)).rows;
      });
      // the text as the session writes it, through pg's own parser; and the instant itself (to the millisecond)
      expect(rows.map((r) => r.at.getTime()), zone).to.deep.equal(rows.map((r) => time(general(r.text))));
      expect(rows.map((r) => r.at.getTime()), zone).to.deep.equal(instants.map((i) => Date.parse(i.replace(/(\.\d{3})\d+/, '$1'))));
    }
    await sql`RESET TimeZone`.execute(handle.db);
  });
});

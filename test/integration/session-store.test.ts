// The session store read through the cache: a second read is served from memory, each reader gets
// its own copy (changing one, as express-session does, changes no other reader's), and a save is
// read back at once.
import { expect } from 'chai';
import type session from 'express-session';
import { openTestDb, resetDatabase } from '../support/test-database.ts';
import type { DbHandle } from '../../models/db.ts';
import { SharedCache } from '../../server/cache/shared-cache.ts';
import { CachedPgStore } from '../../server/http/session.ts';

describe('session store (read through the cache)', () => {
  let handle: DbHandle;
  let store: CachedPgStore;
  const cache = new SharedCache({ maxEntries: 100, ttlMs: 60_000 });
  before(async () => {
    handle = openTestDb(2);
    await resetDatabase(handle);
    cache.setListening(true);
    store = new CachedPgStore({ pool: handle.pool, tableName: 'http_sessions', createTableIfMissing: false, pruneSessionInterval: false, disableTouch: true }, cache);
  });
  after(async () => {
    store.close();
    await handle.close();
  });

  const get = (sid: string) => new Promise<session.SessionData | null | undefined>((resolve, reject) => store.get(sid, (err, s) => (err ? reject(err) : resolve(s))));
  const set = (sid: string, s: session.SessionData) => new Promise<void>((resolve, reject) => store.set(sid, s, (err) => (err ? reject(err) : resolve())));
  const stored = (name: string) =>
    ({ cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000), httpOnly: true, path: '/' }, passport: { user: { launches: { c1: { displayName: name } } } } }) as unknown as session.SessionData;

  it('gives each reader its own copy of a kept session, and reads a save back at once', async () => {
    await set('sid-1', stored('Ann'));
    const first = (await get('sid-1')) as unknown as { passport: { user: { launches: { c1: { displayName: string } } } } };
    expect(cache.size).to.equal(1);
    first.passport.user.launches.c1.displayName = 'changed by one request';
    const second = (await get('sid-1')) as unknown as typeof first;
    expect(second.passport.user.launches.c1.displayName).to.equal('Ann');
    expect(second).to.not.equal(first);
    await set('sid-1', stored('Ben'));
    expect(((await get('sid-1')) as unknown as typeof first).passport.user.launches.c1.displayName).to.equal('Ben');
  });

  it('keeps a new session as saved: reading it back (a launch’s first page) makes no round trip', async () => {
    await set('sid-new', stored('Cy'));
    const query = handle.pool.query.bind(handle.pool);
    let queries = 0;
    handle.pool.query = ((...args: Parameters<typeof query>) => {
      queries++;
      return query(...args);
    }) as typeof handle.pool.query;
    try {
      const read = (await get('sid-new')) as unknown as { passport: { user: { launches: { c1: { displayName: string } } } } };
      expect(read.passport.user.launches.c1.displayName).to.equal('Cy');
    } finally {
      handle.pool.query = query;
    }
    expect(queries).to.equal(0);
  });
});

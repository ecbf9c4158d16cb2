// The in-process cache's own rules: tags, the bound on entries, the TTL backstop, loads that race an
// invalidation, and bypassing while the LISTEN connection is down.
import { expect } from 'chai';
import { SharedCache } from '../../server/cache/shared-cache.ts';

describe('SharedCache', () => {
  let clock = 0;
  const make = (maxEntries = 100, ttlMs = 1_000) => {
    const cache = new SharedCache({ maxEntries, ttlMs, now: () => clock });
    cache.setListening(true);
    return cache;
  };
  /** A loader that counts its calls and answers `value`. */
  const loader = <T>(value: T) => {
    const calls = { n: 0 };
    return { calls, load: async () => (calls.n++, value) };
  };
  const tagged = (...tags: string[]) => () => ({ tags });
  beforeEach(() => (clock = 0));

  it('loads once and serves the kept value until a tag it carries is invalidated', async () => {
    const cache = make();
    const { calls, load } = loader('v');
    for (let i = 0; i < 3; i++) expect(await cache.read('k', load, tagged('a', 'b'))).to.equal('v');
    expect(calls.n).to.equal(1);
    cache.invalidate(['c']);
    await cache.read('k', load, tagged('a', 'b'));
    expect(calls.n).to.equal(1);
    cache.invalidate(['b']);
    await cache.read('k', load, tagged('a', 'b'));
    expect(calls.n).to.equal(2);
    cache.invalidate(['*']);
    expect(cache.size).to.equal(0);
  });

  it('never keeps an absence: the next read asks again', async () => {
    const cache = make();
    const { calls, load } = loader<string | undefined>(undefined);
    await cache.read('k', load, tagged('a'));
    await cache.read('k', load, tagged('a'));
    expect(calls.n).to.equal(2);
  });

  it('re-reads after the TTL, or the shorter one an entry asks for, and never keeps an already expired one', async () => {
    const cache = make(100, 1_000);
    const { calls, load } = loader('v');
    await cache.read('k', load, tagged('a'));
    clock = 999;
    await cache.read('k', load, tagged('a'));
    expect(calls.n).to.equal(1);
    clock = 1_000;
    await cache.read('k', load, tagged('a'));
    expect(calls.n).to.equal(2);
    const short = loader('s');
    await cache.read('s', short.load, () => ({ tags: ['a'], ttlMs: 10 }));
    clock += 10;
    await cache.read('s', short.load, () => ({ tags: ['a'], ttlMs: 10 }));
    expect(short.calls.n).to.equal(2);
    const gone = loader('g');
    await cache.read('g', gone.load, () => ({ tags: ['a'], ttlMs: -5 }));
    expect(cache.size).to.equal(2);
  });

  it('holds at most maxEntries, dropping the least recently read', async () => {
    const cache = make(2);
    await cache.read('a', async () => 1, tagged('t'));
    await cache.read('b', async () => 2, tagged('t'));
    await cache.read('a', async () => 1, tagged('t')); // a is now the most recent
    await cache.read('c', async () => 3, tagged('t'));
    expect(cache.size).to.equal(2);
    const b = loader(2);
    await cache.read('b', b.load, tagged('t'));
    expect(b.calls.n).to.equal(1);
  });

  it('holds at most maxWeight in all, dropping the least recently read, and never keeps one heavier than that', async () => {
    const cache = new SharedCache({ maxEntries: 100, ttlMs: 1_000, maxWeight: 10, now: () => clock });
    cache.setListening(true);
    const weighing = (weight: number) => () => ({ tags: ['t'], weight });
    await cache.read('a', async () => 'a', weighing(4));
    await cache.read('b', async () => 'b', weighing(4));
    await cache.read('a', async () => 'a', weighing(4)); // a is now the most recent
    await cache.read('c', async () => 'c', weighing(4)); // 12 > 10: b goes
    expect([cache.size, cache.weight]).to.deep.equal([2, 8]);
    const b = loader('b');
    await cache.read('b', b.load, weighing(4));
    expect(b.calls.n).to.equal(1);
    await cache.read('huge', async () => 'huge', weighing(11));
    expect([cache.size, cache.weight]).to.deep.equal([2, 8]);
    cache.invalidate(['t']);
    expect([cache.size, cache.weight]).to.deep.equal([0, 0]);
  });

  it('does not keep what a load read before an invalidation that arrived while it ran', async () => {
    const cache = make();
    let release!: () => void;
    const slow = cache.read('k', () => new Promise<string>((r) => (release = () => r('old'))), tagged('a'));
    cache.invalidate(['a']); // the change committed while the row was being read
    release();
    expect(await slow).to.equal('old');
    const { calls, load } = loader('new');
    expect(await cache.read('k', load, tagged('a'))).to.equal('new');
    expect(calls.n).to.equal(1);
  });

  it('keeps a load that ran while other tags were invalidated, but not one that ran through a "*", a listener gone and back, or more invalidations than it remembers', async () => {
    const slowRead = (cache: SharedCache, key: string, tag: string) => {
      let release!: () => void;
      const read = cache.read(key, () => new Promise<string>((r) => (release = () => r(`${key} read`))), tagged(tag));
      return { read, release: () => release() };
    };
    const keptAfter = async (during: (cache: SharedCache) => void) => {
      const cache = make();
      const slow = slowRead(cache, 'k', 'a');
      during(cache);
      slow.release();
      await slow.read;
      const { calls, load } = loader('again');
      await cache.read('k', load, tagged('a'));
      return calls.n === 0;
    };
    expect(await keptAfter((c) => c.invalidate(['b', 'session:x'])), 'other tags').to.equal(true);
    expect(await keptAfter((c) => (c.invalidate(['b']), c.invalidate(['x', 'a']))), 'its own tag among others').to.equal(false);
    expect(await keptAfter((c) => c.invalidate(['*'])), 'everything').to.equal(false);
    expect(await keptAfter((c) => (c.setListening(false), c.setListening(true))), 'the listener gone and back').to.equal(false);
    expect(await keptAfter((c) => { for (let i = 0; i < 300; i++) c.invalidate([`b${i}`]); }), 'more than it remembers').to.equal(false);
    // A load begun after the invalidation is kept whatever it named.
    const cache = make();
    const first = slowRead(cache, 'other', 'b');
    cache.invalidate(['a']);
    const second = slowRead(cache, 'k', 'a');
    first.release();
    second.release();
    await Promise.all([first.read, second.read]);
    const { calls, load } = loader('again');
    await cache.read('k', load, tagged('a'));
    expect(calls.n, 'begun after the invalidation').to.equal(0);
  });

  it('does not keep a load of a key forgotten while it ran, and keeps the loads of other keys', async () => {
    const cache = make();
    const releases: Array<() => void> = [];
    const slow = (value: string) => () => new Promise<string>((r) => releases.push(() => r(value)));
    const mine = cache.read('mine', slow('old'), tagged('a'));
    const other = cache.read('other', slow('theirs'), tagged('b'));
    cache.forget('mine'); // this process just changed 'mine'
    for (const release of releases) release();
    await Promise.all([mine, other]);
    const again = loader('x');
    await cache.read('mine', again.load, tagged('a'));
    expect(again.calls.n, 'the forgotten key is read again').to.equal(1);
    await cache.read('other', again.load, tagged('b'));
    expect(again.calls.n, 'the other key was kept').to.equal(1);
  });

  it('keeps what loadAndKeep found under the key it names, unless its tags were invalidated while it ran or nothing is listening', async () => {
    /** Whether `key` is served from memory afterwards (no load). */
    const served = async (cache: SharedCache, key: string) => {
      const { calls, load } = loader('loaded');
      const value = await cache.read(key, load, tagged('a'));
      return calls.n === 0 ? value : undefined;
    };
    const cache = make();
    expect(await cache.loadAndKeep(async () => 7, (n) => ({ key: 'k', value: `found ${n}`, tags: ['a'] }))).to.equal(7);
    expect(await served(cache, 'k')).to.equal('found 7');
    cache.invalidate(['a']);
    expect(cache.has('k')).to.equal(false);

    const slowLoad = (cache: SharedCache, during: () => void) => {
      let release!: () => void;
      const kept = cache.loadAndKeep(() => new Promise<string>((r) => (release = () => r('read'))), (v) => ({ key: 'slow', value: v, tags: ['a', 'b'] }));
      during();
      release();
      return kept;
    };
    const spoiled = make();
    await slowLoad(spoiled, () => spoiled.invalidate(['x', 'b'])); // the change committed while the statement ran
    expect(spoiled.has('slow'), 'one of its tags invalidated meanwhile').to.equal(false);
    const untouched = make();
    await slowLoad(untouched, () => untouched.invalidate(['x']));
    expect(await served(untouched, 'slow'), 'other tags invalidated meanwhile').to.equal('read');
    const deaf = make();
    deaf.setListening(false);
    await deaf.loadAndKeep(async () => 1, () => ({ key: 'k', value: 'v', tags: ['a'] }));
    expect(deaf.has('k'), 'not listening').to.equal(false);
    const nothing = make();
    await nothing.loadAndKeep(async () => 1, () => undefined);
    expect(nothing.size).to.equal(0);
  });

  it('clears everything and reads through while not listening, and keeps again once listening', async () => {
    const cache = make();
    await cache.read('k', async () => 'v', tagged('a'));
    cache.setListening(false);
    expect(cache.size).to.equal(0);
    const { calls, load } = loader('w');
    await cache.read('k', load, tagged('a'));
    await cache.read('k', load, tagged('a'));
    expect(calls.n).to.equal(2);
    expect(cache.size).to.equal(0);
    cache.setListening(true);
    await cache.read('k', load, tagged('a'));
    await cache.read('k', load, tagged('a'));
    expect(calls.n).to.equal(3);
  });
});

// What every launch reads and what rarely changes (its platform, ltijs's copy of it, its deployment)
// comes from the app's in-process cache (server/cache/), kept true across processes by the triggers
// of migrations 20261204T1200 and 20261204T1540. As everywhere in that cache, a refusal is never
// given from memory: what would refuse is read again from PostgreSQL first.

/**
 * The part of the app's cache (server/cache/shared-cache.ts, SharedCache) launches use, stated here
 * so lti/ depends on no server/ module: the app passes its cache in.
 */
export interface LaunchCache {
  read<T>(key: string, load: () => Promise<T | undefined>, keep: (value: T) => { tags: readonly string[]; ttlMs?: number }): Promise<T | undefined>;
  forget(key: string): void;
}

export const LAUNCH_CACHE_TTL_MS = 60_000;

/**
 * `load()` through the cache under `key` (tags from `tags`), or straight from PostgreSQL without a
 * cache. A value `accepted` refuses is read again past the cache before it is returned.
 */
export async function readForLaunch<T extends object>(
  cache: LaunchCache | undefined,
  key: string,
  load: () => Promise<T | undefined>,
  tags: (value: T) => readonly string[],
  accepted: (value: T) => boolean,
): Promise<T | undefined> {
  if (!cache) return load();
  const frozenLoad = async () => {
    const value = await load();
    return value && Object.freeze(value);
  };
  // A minute at most: should the LISTEN connection die silently, a platform or deployment disabled
  // elsewhere is still refused within a minute (the cache's own backstop is ten).
  const keep = (v: T) => ({ tags: tags(v), ttlMs: LAUNCH_CACHE_TTL_MS });
  const cached = await cache.read(key, frozenLoad, keep);
  if (!cached || accepted(cached)) return cached;
  cache.forget(key);
  return cache.read(key, frozenLoad, keep);
}

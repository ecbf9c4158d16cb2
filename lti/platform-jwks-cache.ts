// Platform public keys, cached by JWKS URL and kid. ltijs 5.9.9 fetches the platform's JWKS on every
// launch; we fetch it once, and again when a token names a kid we have not seen (a key rotation), at
// most once per refetch interval per URL, so a flood of bogus kids cannot make us hammer the LMS.
// A token that fails its signature under a cached key makes the next launch refetch too (same bound):
// a platform may replace a key and keep its kid.
import { z } from 'zod';

const JwksSchema = z.object({ keys: z.array(z.looseObject({ kid: z.string().optional() })).max(100) });
export type Jwks = z.infer<typeof JwksSchema>;

interface Entry {
  keyset: Jwks;
  fetchedAt: number;
  /** A token failed its signature under this keyset: its key may have been replaced under the same kid. */
  distrusted?: boolean;
}

export class PlatformJwksCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<Entry>>();
  /** When an unknown kid last made us refetch a URL. */
  readonly #lastRefetch = new Map<string, number>();
  readonly #refetchIntervalMs: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  fetchCount = 0;

  constructor(opts: { refetchIntervalMs?: number; maxAgeMs?: number; now?: () => number } = {}) {
    this.#refetchIntervalMs = opts.refetchIntervalMs ?? 30_000;
    this.#maxAgeMs = opts.maxAgeMs ?? 24 * 3600_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Makes sure the keyset of `url` is cached and, if possible, holds `kid`. Never throws for a missing kid. */
  async ensureKid(url: string, kid: string): Promise<void> {
    const entry = this.#entries.get(url);
    const now = this.#now();
    const stale = !entry || now - entry.fetchedAt > this.#maxAgeMs;
    if (stale) {
      await this.#fetch(url);
      return;
    }
    if (!entry.distrusted && entry.keyset.keys.some((k) => k.kid === kid)) return;
    const last = this.#lastRefetch.get(url);
    if (last !== undefined && now - last < this.#refetchIntervalMs) return;
    this.#lastRefetch.set(url, now);
    await this.#fetch(url);
  }

  /** A token's signature did not verify under the keyset of `url`: the next launch refetches it (bounded as for an unknown kid). */
  distrust(url: string): void {
    const entry = this.#entries.get(url);
    if (entry) entry.distrusted = true;
  }

  /** Drops what is known of `url` (its keys and its last refetch): the next launch fetches it. For a platform gone from that URL. */
  forget(url: string): void {
    this.#entries.delete(url);
    this.#lastRefetch.delete(url);
  }

  /** The cached keyset, or undefined when this URL was never fetched. */
  cached(url: string): Jwks | undefined {
    return this.#entries.get(url)?.keyset;
  }

  #fetch(url: string): Promise<Entry> {
    const running = this.#inFlight.get(url);
    if (running) return running;
    const p = (async () => {
      this.fetchCount++;
      const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
      const text = await res.text();
      if (!res.ok) throw new Error(`JWKS ${url} answered ${res.status}`);
      if (text.length > 256 * 1024) throw new Error(`JWKS ${url} is larger than 256 KiB`);
      const entry = { keyset: JwksSchema.parse(JSON.parse(text)), fetchedAt: this.#now() };
      this.#entries.set(url, entry);
      return entry;
    })().finally(() => this.#inFlight.delete(url));
    this.#inFlight.set(url, p);
    return p;
  }
}

/** One cache per process: keys are public, and every app instance in the process may share them. */
export const platformJwksCache = new PlatformJwksCache();

const INSTALLED = Symbol.for('circlework.jwksCacheInstalled');

/**
 * Makes ltijs's HTTP client (a process-wide singleton) answer JWKS requests from the cache. ltijs asks
 * with `got.get(url).json()` and no options; every other call (AGS, NRPS, tokens) passes options and
 * goes to the network.
 */
export function serveLtijsJwksFromCache(ltijsHttp: { get: (...args: unknown[]) => unknown }): void {
  const marked = ltijsHttp as unknown as Record<symbol, boolean>;
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;
  const original = ltijsHttp.get.bind(ltijsHttp);
  ltijsHttp.get = (...args: unknown[]) => {
    const [url, options] = args;
    const keyset = typeof url === 'string' && options === undefined ? platformJwksCache.cached(url) : undefined;
    if (keyset) return { json: async () => keyset };
    return original(...args);
  };
}

// One in-process cache for what rarely changes and is read on every request (frame origins, a
// membership's standing, sessions). Entries carry tags; a NOTIFY from any process names tags and
// every process drops the entries that carry them. While the LISTEN connection is down nothing is
// served from or kept in memory: a change made meanwhile would not be heard.

interface Entry {
  value: unknown;
  expiresAt: number;
  tags: readonly string[];
  weight: number;
}

export interface SharedCacheOptions {
  /** Bound on memory: the least recently read entry goes first. */
  maxEntries: number;
  /** Backstop: an entry is re-read after this long even when no change was heard. */
  ttlMs: number;
  /** Bound on the entries' weights in all (as `keep` gives them; 1 each by default), for values of very different sizes. */
  maxWeight?: number;
  now?: () => number;
}

/** How many invalidations heard during loads are remembered; a load that began before all of them keeps nothing. */
const HEARD_KEPT = 256;

export class SharedCache {
  readonly #entries = new Map<string, Entry>(); // in order of last read (LRU)
  readonly #byTag = new Map<string, Set<string>>();
  readonly #opts: Required<SharedCacheOptions>;
  #weight = 0;
  #listening = false;
  // Bumped by every invalidation. A load that started before one must not keep what it read if the
  // invalidation named one of its tags: it may have read the row before the change committed. The
  // invalidations heard while loads were in flight are remembered (the last HEARD_KEPT), so a load is
  // spoiled only by those naming its own tags: a session saved or a launch elsewhere in the
  // meantime (every request of a busy process overlaps some) does not keep a cohort's row unkept.
  #generation = 0;
  readonly #heard: Array<{ generation: number; tags: readonly string[] }> = [];
  // Per key, while loads of it are in flight: how many, and how often forget() named the key since.
  // forget() spoils only its own key's loads, not every load in flight (it runs on every refused
  // standing and every session write).
  readonly #inflight = new Map<string, { loads: number; forgotten: number }>();
  #anonymousLoads = 0;

  constructor(opts: SharedCacheOptions) {
    this.#opts = { now: () => Date.now(), maxWeight: Infinity, ...opts };
  }

  /** Whether entries are kept (the LISTEN connection is up). */
  get listening(): boolean {
    return this.#listening;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether a value is kept under `key` (for tests: a change is only worth making to what is kept). */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The kept entries' weights in all. */
  get weight(): number {
    return this.#weight;
  }

  /**
   * The value under `key`, loaded on a miss and kept with the tags `keep` gives (unless undefined: an
   * absence is never cached, so an insert needs no invalidation). Its `ttlMs` can only shorten the
   * backstop; its `weight` (1 unless given) counts against `maxWeight`.
   */
  async read<T>(key: string, load: () => Promise<T | undefined>, keep: (value: T) => { tags: readonly string[]; ttlMs?: number; weight?: number }): Promise<T | undefined> {
    const now = this.#opts.now();
    const hit = this.#entries.get(key);
    if (hit && this.#listening) {
      if (hit.expiresAt > now) {
        this.#entries.delete(key);
        this.#entries.set(key, hit);
        return hit.value as T;
      }
      this.#remove(key);
    }
    const generation = this.#generation;
    let flight = this.#inflight.get(key);
    if (!flight) this.#inflight.set(key, (flight = { loads: 0, forgotten: 0 }));
    flight.loads++;
    const forgotten = flight.forgotten;
    let value: T | undefined;
    try {
      value = await load();
    } finally {
      if (--flight.loads === 0) this.#inflight.delete(key);
    }
    if (value !== undefined && this.#listening && forgotten === flight.forgotten) {
      const { tags, ttlMs, weight = 1 } = keep(value);
      if ((ttlMs === undefined || ttlMs > 0) && weight <= this.#opts.maxWeight && !this.#heardSince(generation, tags)) this.#store(key, value, tags, now + Math.min(ttlMs ?? Infinity, this.#opts.ttlMs), weight);
    }
    return value;
  }

  /**
   * Runs `load` (always: nothing is read from the cache) and keeps the entry `entry` finds in its
   * result (its key, value and tags), as read() keeps what it loads: unless an invalidation naming
   * one of its tags was heard while `load` ran. For a value whose key is known only from what was
   * read (a launch learns its membership's id from the statement that records it, which reads its
   * standing too). A forget() of that key while `load` runs is not seen (the key is not known yet):
   * only for values every change of which is also NOTIFYed, as a standing's is.
   */
  async loadAndKeep<R>(load: () => Promise<R>, entry: (result: R) => { key: string; value: unknown; tags: readonly string[] } | undefined): Promise<R> {
    const now = this.#opts.now();
    const generation = this.#generation;
    // In flight under a key of its own, so the invalidations heard meanwhile are remembered.
    const flightKey = `\0load-and-keep:${++this.#anonymousLoads}`;
    this.#inflight.set(flightKey, { loads: 1, forgotten: 0 });
    let result: R;
    try {
      result = await load();
    } finally {
      this.#inflight.delete(flightKey);
    }
    const found = entry(result);
    if (found !== undefined && found.value !== undefined && this.#listening && !this.#heardSince(generation, found.tags)) {
      this.#store(found.key, found.value, found.tags, now + this.#opts.ttlMs, 1);
    }
    return result;
  }

  /** Whether an invalidation heard since `generation` may concern an entry with these tags (one that is no longer remembered may). */
  #heardSince(generation: number, tags: readonly string[]): boolean {
    if (generation === this.#generation) return false;
    const oldest = this.#heard[0];
    if (!oldest || oldest.generation > generation + 1) return true;
    for (const heard of this.#heard) {
      if (heard.generation > generation && (heard.tags.includes('*') || heard.tags.some((t) => tags.includes(t)))) return true;
    }
    return false;
  }

  /** An invalidation (its tags; '*' for all), remembered while loads that began before it are in flight. */
  #hear(tags: readonly string[]): void {
    this.#generation++;
    if (this.#inflight.size === 0) {
      this.#heard.length = 0;
      return;
    }
    this.#heard.push({ generation: this.#generation, tags });
    if (this.#heard.length > HEARD_KEPT) this.#heard.shift();
  }

  /** Drops this process's copy now (the writer's own process, before the NOTIFY comes back). */
  forget(key: string): void {
    const flight = this.#inflight.get(key);
    if (flight) flight.forgotten++;
    this.#remove(key);
  }

  /** A NOTIFY named these tags: drop every entry carrying one. */
  invalidate(tags: readonly string[]): void {
    this.#hear(tags);
    if (tags.includes('*')) return this.#clear();
    for (const tag of tags) for (const key of this.#byTag.get(tag) ?? []) this.#remove(key);
  }

  /** The LISTEN connection is up (keep entries) or down (clear, and bypass until it is back). */
  setListening(listening: boolean): void {
    this.#hear(['*']);
    this.#listening = listening;
    this.#clear();
  }

  #store(key: string, value: unknown, tags: readonly string[], expiresAt: number, weight: number): void {
    this.#remove(key);
    this.#entries.set(key, { value, expiresAt, tags, weight });
    this.#weight += weight;
    for (const tag of tags) {
      let keys = this.#byTag.get(tag);
      if (!keys) this.#byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    while (this.#entries.size > this.#opts.maxEntries || this.#weight > this.#opts.maxWeight) this.#remove(this.#entries.keys().next().value!);
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
    for (const tag of entry.tags) {
      const keys = this.#byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.#byTag.delete(tag);
    }
  }

  #clear(): void {
    this.#entries.clear();
    this.#byTag.clear();
    this.#weight = 0;
  }
}

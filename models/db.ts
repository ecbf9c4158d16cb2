// The one place that creates the database driver. Nothing connects at import.
import crypto from 'node:crypto';
import pg from 'pg';
import { CamelCasePlugin, Kysely, PostgresDialect, type Compilable, type CompiledQuery, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { CACHE_CHANNEL } from './cache-invalidations.ts';
import { connectionTypes } from './timestamps.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** A query function takes either the pool-backed Db or an open transaction. */
export type Executor = Db | Tx;

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function createDb(connectionString: string, opts: { max?: number; onError?: (err: Error) => void } = {}): DbHandle {
  // A bounded wait for a connection: with the database down, a request fails with a 503 in seconds
  // instead of hanging until the browser gives up.
  // Every connection LISTENs for cache invalidations before first use (server/cache/): PostgreSQL
  // sends a session its own NOTIFY before it answers the COMMIT, so a process hears its own writes
  // before they return. pg-pool awaits this hook before handing the connection out.
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 5_000,
    types: connectionTypes,
    onConnect: (client) => {
      nameStatementsOnce(client);
      return client.query(`LISTEN ${CACHE_CHANNEL}`);
    },
  });
  // Without a listener, an idle client's error (a database restart) would crash the process.
  pool.on('error', (err) => opts.onError?.(err));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
  return {
    db,
    pool,
    close: async () => {
      await db.destroy();
    },
  };
}

/**
 * SQL texts to run as named (prepared) statements: PostgreSQL parses and plans such a statement once
 * per connection, then only binds values (a page query with CTEs spends longer in the planner than in
 * execution: 1.6 ms against 1.1 ms for a thread page). Only fixed texts are named (preparedQuery's,
 * and those given to prepareStatement), so the set stays small.
 */
const statementNames = new Map<string, string>();

/** Marks a compiled SQL text as one to prepare on each connection; returns it unchanged. */
export function prepareStatement<Q extends { sql: string }>(query: Q): Q {
  if (!statementNames.has(query.sql)) statementNames.set(query.sql, `cw_${crypto.createHash('sha1').update(query.sql).digest('hex').slice(0, 20)}`);
  return query;
}

const withoutPlugins = new WeakMap<Executor, Executor>();

/**
 * Runs a hand-written statement, prepared, whose columns are already named as the app reads them
 * (quoted camelCase, and camelCase keys in its JSON), past the CamelCasePlugin: the plugin rebuilds
 * every row and every object inside its JSON values, a fifth of the thread page's own statement's
 * CPU in node. A name left in snake_case would arrive so: give every column its alias.
 */
export async function executeAsNamed<R>(ex: Executor, query: RawBuilder<R>): Promise<R[]> {
  let raw = withoutPlugins.get(ex);
  if (!raw) withoutPlugins.set(ex, (raw = ex.withoutPlugins()));
  return (await raw.executeQuery(prepareStatement(query.compile(raw)))).rows;
}

/** Kysely calls client.query(text, values): a text marked above goes as a named statement instead. */
function nameStatementsOnce(client: pg.ClientBase): void {
  const marked = client as pg.ClientBase & { circleworkNamed?: boolean };
  if (marked.circleworkNamed) return;
  marked.circleworkNamed = true;
  // The class's own query, looked up at each call (so whatever wraps the class, e.g. a test, still sees every query).
  const query = (...args: unknown[]) => (Object.getPrototypeOf(client) as { query: (...a: unknown[]) => unknown }).query.apply(client, args);
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    const name = typeof text === 'string' && args.length <= 2 && (values === undefined || Array.isArray(values)) ? statementNames.get(text) : undefined;
    return name ? query({ name, text, values }) : query(...args);
  };
}

/**
 * A query of fixed shape, built and compiled once, then run with each call's values. Kysely otherwise
 * builds the query tree, rewrites it (CamelCasePlugin) and compiles it on every call: 0.1–0.25 ms of
 * CPU per query, on every page. `build` gets stand-ins for the parameters, each of which must reach
 * the SQL as a bound value, unchanged: no `if` on a parameter, no arithmetic, no `in` list (use
 * `= any(…)`), as the shape is fixed at the first call. A stand-in that does not reach the SQL
 * throws at that first call.
 */
export function preparedQuery<P extends Record<string, unknown>, R>(build: (ex: Executor, p: P) => Compilable<R>): (ex: Executor, p: P) => Promise<R[]> {
  let template: { query: CompiledQuery<R>; slots: ({ key: string } | { value: unknown })[] } | undefined;
  const prepare = (ex: Executor) => {
    const standIns = new Map<string, string>();
    const p = new Proxy({} as P, {
      get: (_target, key) => {
        const name = String(key);
        if (!standIns.has(name)) standIns.set(name, `\u0000prepared-parameter:${name}:${crypto.randomUUID()}`);
        return standIns.get(name);
      },
    });
    const query = prepareStatement(build(ex, p).compile());
    const keyOf = new Map([...standIns].map(([k, v]) => [v, k]));
    const slots = query.parameters.map((value) => (typeof value === 'string' && keyOf.has(value) ? { key: keyOf.get(value)! } : { value }));
    for (const name of standIns.keys()) {
      if (!slots.some((s) => 'key' in s && s.key === name)) throw new Error(`preparedQuery: parameter ${name} does not reach the SQL as a value`);
    }
    return { query, slots };
  };
  return async (ex, p) => {
    template ??= prepare(ex);
    const parameters = template.slots.map((s) => ('key' in s ? p[s.key] : s.value));
    return (await ex.executeQuery<R>({ ...template.query, parameters })).rows;
  };
}

export function withTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}

/** What PostgreSQL says when it picked this transaction to end a deadlock, or could not serialize it. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);

export function isRetryableConflict(err: unknown): boolean {
  return typeof err === 'object' && err !== null && RETRYABLE_SQLSTATES.has(String((err as { code?: unknown }).code));
}

export interface RetryOptions {
  /** Names the transaction in the log. */
  name: string;
  log?: { warn(obj: object, msg: string): void };
  /** Tries in all, the first included. */
  attempts?: number;
  /** The first retry waits up to this long (a random share of it), each later one up to twice as long. */
  baseDelayMs?: number;
}

/**
 * withTransaction for idempotent work that may meet a deadlock (40P01) or a serialization failure
 * (40001): PostgreSQL rolled it back whole, so it is run again from the start, a bounded number of
 * times, after a random pause (two retries in lockstep would meet again). Each retry is logged; the
 * last failure is thrown. Only for work with no effect outside the database.
 */
export function withRetryingTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>, opts: RetryOptions): Promise<T> {
  return withRetries(() => db.transaction().execute(work), opts);
}

/** The same retries for one idempotent statement committed on its own (no BEGIN/COMMIT round trips). */
export async function withRetries<T>(work: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const attempts = opts.attempts ?? 4;
  const baseDelayMs = opts.baseDelayMs ?? 25;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !isRetryableConflict(err)) throw err;
      const delayMs = Math.round(Math.random() * baseDelayMs * 2 ** (attempt - 1));
      opts.log?.warn({ err, transaction: opts.name, attempt, delayMs }, 'transaction retried after a deadlock or serialization failure');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

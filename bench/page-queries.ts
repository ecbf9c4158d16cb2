// The queries a page sends and their plans, for the scale bench: every query one marked request
// sends is captured (the app runs in this process, on this pg), then EXPLAINed, with its custom plan
// and, for a prepared statement, its generic one.
import http from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import pg from 'pg';

// The request runs in its own async context, so queries of other requests or of background work
// (a figures recompute, pg-boss) are never counted as that page's.
interface Captured {
  text: string;
  values: unknown[];
  /** Sent as a named prepared statement: PostgreSQL may run it with a generic plan. */
  prepared: boolean;
}
const CAPTURE_HEADER = 'x-bench-capture';
const capture = new AsyncLocalStorage<Captured[]>();
const captures = new Map<string, Captured[]>();
let capturing = false;

/** Wraps pg's Client.query once, when a capturing server is made: other benches importing this file run pg as it is. */
function captureQueries(): void {
  if (capturing) return;
  capturing = true;
  const originalQuery = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [q, v] = args as [unknown, unknown];
    const into = capture.getStore();
    if (into) {
      const text = typeof q === 'string' ? q : (q as { text?: string })?.text;
      const values = Array.isArray(v) ? v : ((q as { values?: unknown[] })?.values ?? []);
      if (text) into.push({ text, values, prepared: typeof q === 'object' && Boolean((q as { name?: string })?.name) });
    }
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
}

/** The app's HTTP server: a request carrying CAPTURE_HEADER runs with that capture's list as its context. */
export function capturingServer(): http.Server {
  captureQueries();
  const server = http.createServer();
  const emit = server.emit.bind(server) as (event: string, ...args: unknown[]) => boolean;
  server.emit = ((event: string, ...args: unknown[]) => {
    const id = event === 'request' ? (args[0] as http.IncomingMessage).headers[CAPTURE_HEADER] : undefined;
    const into = typeof id === 'string' ? captures.get(id) : undefined;
    return into ? capture.run(into, () => emit(event, ...args)) : emit(event, ...args);
  }) as typeof server.emit;
  return server;
}

/** The queries one GET of the page sends, and only those. */
export async function queriesOf(p: { url: string; cookie: string }): Promise<Captured[]> {
  const id = crypto.randomUUID();
  captures.set(id, []);
  try {
    const r = await fetch(p.url, { headers: { cookie: p.cookie, [CAPTURE_HEADER]: id }, redirect: 'manual' });
    await r.arrayBuffer();
    return captures.get(id)!;
  } finally {
    captures.delete(id);
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Total Cost': number;
  Plans?: PlanNode[];
}

/** One line per query: its plan's scans, a warning for each sequential scan of a table over 10 k rows. */
export async function explainPage(pool: pg.Pool, name: string, queries: Captured[]): Promise<number> {
  const sizes = new Map((await pool.query<{ relname: string; n: number }>(`SELECT relname, reltuples::bigint AS n FROM pg_class WHERE relkind = 'r'`)).rows.map((r) => [r.relname, Number(r.n)]));
  // A connection the pool opens for this request first LISTENs (models/db.ts): a round trip of the connection's, not the page's.
  const setUp = queries.filter((q) => /^\s*LISTEN\b/i.test(q.text)).length;
  console.log(`\n${name}: ${queries.length - setUp} round trips${setUp ? ` (and ${setUp} LISTEN of a connection the pool opened)` : ''}`);
  let flagged = 0;
  for (const q of queries) {
    const text = q.text.replace(/\s+/g, ' ').trim();
    if (!/^(select|with|update|insert|delete)\b/i.test(text)) {
      console.log(`  ·  ${text.slice(0, 60)}`);
      continue;
    }
    let plan: PlanNode;
    let ms: number | undefined;
    try {
      // Reads are run (ANALYZE) for their real time; writes are only planned.
      const analyze = /^(select|with)\b/i.test(text) && !/\b(insert|update|delete)\b/i.test(text);
      // Twice, the second counted: the first warms the caches (TIMING OFF: only the total is shown).
      const explain = async () => (await pool.query<{ 'QUERY PLAN': { Plan: PlanNode; 'Execution Time'?: number }[] }>(`EXPLAIN (${analyze ? 'ANALYZE, TIMING OFF, ' : ''}FORMAT JSON) ${q.text}`, q.values)).rows[0]!['QUERY PLAN'][0]!;
      if (analyze) await explain();
      const out = await explain();
      plan = out.Plan;
      ms = out['Execution Time'];
    } catch {
      console.log(`  ?  ${text.slice(0, 100)}`);
      continue;
    }
    const scans: string[] = [];
    let seq = false;
    const walk = (n: PlanNode) => {
      if (n['Relation Name']) {
        const rows = sizes.get(n['Relation Name']) ?? 0;
        const big = n['Node Type'] === 'Seq Scan' && rows > 10_000;
        if (big) seq = true;
        scans.push(`${big ? 'SEQ SCAN ' : ''}${n['Relation Name']}${n['Index Name'] ? ` by ${n['Index Name']}` : n['Node Type'] === 'Seq Scan' ? ' (seq)' : ''}${big ? ` (${rows} rows)` : ''}`);
      }
      n.Plans?.forEach(walk);
    };
    walk(plan);
    // A prepared statement runs with a generic plan once PostgreSQL finds it no dearer than the
    // custom ones: that plan, planned without the values, is the one a busy page actually gets.
    let generic = '';
    if (q.prepared && ms !== undefined) {
      const g = await explainGeneric(pool, q);
      if (g) {
        const slow = g.ms > 3 * ms && g.ms > 1;
        g.plan.Plans?.forEach(walk);
        if (slow) seq = true;
        generic = ` | generic plan ${g.ms.toFixed(1)}ms${slow ? ' SLOW' : ''}`;
      } else generic = ' | generic plan ?';
    }
    if (seq) flagged++;
    console.log(`  ${seq ? '!!' : 'ok'} cost ${plan['Total Cost'].toFixed(0).padStart(7)} ${ms === undefined ? '        ' : `${ms.toFixed(1).padStart(6)}ms`}${generic}  ${text.slice(0, 70).padEnd(70)}  ${[...new Set(scans)].join(', ')}`);
  }
  return flagged;
}

// pg's own conversion of a query value to its text form (arrays, dates, JSON), as it sends them.
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(v: unknown): unknown };

/** EXPLAIN ANALYZE of a statement as PREPARE'd with a generic plan (the values typed as PostgreSQL infers them). */
async function explainGeneric(pool: pg.Pool, q: Captured): Promise<{ plan: PlanNode; ms: number } | undefined> {
  const client = await pool.connect();
  try {
    await client.query('SET plan_cache_mode = force_generic_plan');
    await client.query(`PREPARE bench_generic AS ${q.text}`);
    const literal = (v: unknown) => {
      const text = prepareValue(v);
      return text === null || text === undefined ? 'NULL' : client.escapeLiteral(String(text));
    };
    const args = q.values.length ? `(${q.values.map(literal).join(', ')})` : '';
    const explain = async () => (await client.query<{ 'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[] }>(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) EXECUTE bench_generic${args}`)).rows[0]!['QUERY PLAN'][0]!;
    await explain();
    const out = await explain();
    return { plan: out.Plan, ms: out['Execution Time'] };
  } catch {
    return undefined;
  } finally {
    await client.query('DEALLOCATE ALL').catch(() => undefined);
    await client.query('RESET plan_cache_mode').catch(() => undefined);
    client.release();
  }
}

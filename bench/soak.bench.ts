// Soak: N learners of one cohort use Circlework as people do — hub, module page, the commons, a
// thread, now and then a reply — with think time between steps, 30 % of them holding a live-update
// stream. The app runs as its own process (server/main.ts, production mode) so the load generator
// does not share its event loop; its RSS is read from /proc. Prints, per page kind, p50/p99 and the
// answers that were not 2xx/3xx; socket errors; acknowledged replies against replies stored; the CPU
// the app, PostgreSQL and this load generator used (so a saturated client is not read as a slow app);
// the app's RSS over time; the statements each kind of request runs, and the most run in the soak.
// Run alone with `npm run bench -- soak` (BENCH_SOAK_LEARNERS, BENCH_SOAK_SECONDS: default 500, 300).
// A reply is the thread page, then the POST; 'reply POST' times the POST alone.
// BENCH_SOAK_PROFILE=<dir> writes a CPU profile of the app (node --cpu-prof) there.
import http from 'node:http';
import pg from 'pg';
import { LtiHttpClient, LtiPlatformSimulator } from '../test/support/lti-platform-simulator.ts';
import { connectPlatform } from '../test/support/lti-fixtures.ts';
import { startAppProcess, startFlags } from './bench-support.ts';
import { cpuSecondsOf, ownCpuSeconds, postgresCpuSeconds, rssMb } from './process-stats.ts';
import { describeStatement, readStatementCounts, statementCountsAvailable, statementsBetween, statementsSettled, totalCalls, type StatementCounts } from './statement-counts.ts';

const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
type Kind = 'hub' | 'module' | 'space' | 'thread' | 'reply' | 'reply POST';

interface Learner { cookie: string; base: string }

class Tally {
  readonly latencies = new Map<Kind, number[]>();
  readonly statuses = new Map<string, number>();
  socketErrors = 0;
  /** Socket errors by their code (ECONNRESET, a connect timeout…), and whose: a page's or a stream's. */
  readonly errorCodes = new Map<string, number>();
  socketError(whose: string, err: unknown): void {
    this.socketErrors++;
    const e = err as { code?: string; name?: string; cause?: { code?: string; name?: string } };
    const code = `${whose} ${e.cause?.code ?? e.code ?? e.cause?.name ?? e.name ?? 'error'}`;
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
  }
  record(kind: Kind, ms: number, status: number): void {
    const list = this.latencies.get(kind) ?? [];
    list.push(ms);
    this.latencies.set(kind, list);
    if (status >= 400) this.statuses.set(`${kind} ${status}`, (this.statuses.get(`${kind} ${status}`) ?? 0) + 1);
  }
}

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Holds a live-update stream open until `stop`; counts a reset as a socket error. Resolves once it answered. */
function holdStream(url: string, cookie: string, tally: Tally, stop: Promise<void>): Promise<void> {
  let stopped = false;
  return new Promise((answered) => {
    const req = http.get(url, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) tally.statuses.set(`stream ${res.statusCode}`, (tally.statuses.get(`stream ${res.statusCode}`) ?? 0) + 1);
      res.resume();
      answered();
    });
    req.on('error', (err) => { if (!stopped) tally.socketError('stream', err); answered(); });
    void stop.then(() => { stopped = true; req.destroy(); });
  });
}

/**
 * What the app's backends are doing, sampled twice a second on a connection of its own: active or
 * idle in a transaction, and what they wait for (a lock wait names the statement that waits).
 */
function sampleBackends(databaseUrl: string): { stop(): Promise<{ samples: number; top: Array<[string, number]> }> } {
  const client = new pg.Client({ connectionString: databaseUrl });
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const done = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ what: string; n: number }>(`
        SELECT state || coalesce(', waiting ' || wait_event_type || ':' || wait_event, '')
               || CASE WHEN wait_event_type = 'Lock' THEN ' in ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60) ELSE '' END AS what, count(*)::int AS n
        FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction') AND query NOT ILIKE '%pgboss%'
        GROUP BY 1`);
      samples++;
      for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + r.n);
      await sleep(500);
    }
    await client.end();
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { samples, top: [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6) };
    },
  };
}

export async function benchSoak(databaseUrl: string, opts: { learners?: number; seconds?: number; label?: string } = {}): Promise<void> {
  const learners = opts.learners ?? Number(process.env.BENCH_SOAK_LEARNERS ?? 500);
  const seconds = opts.seconds ?? Number(process.env.BENCH_SOAK_SECONDS ?? 300);
  const profile = process.env.BENCH_SOAK_PROFILE ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_SOAK_PROFILE}`] : [];
  const server = await startAppProcess(databaseUrl, profile);
  const { url, handle } = server;
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Soak Moodle' });
  try {
    const { clientId } = await connectPlatform(server.app, sim);

    // Launch everyone (a few at a time), then a few threads to talk in.
    const people: Learner[] = [];
    const t0 = performance.now();
    for (let i = 0; i < learners; i += 10) {
      people.push(...(await Promise.all(Array.from({ length: Math.min(10, learners - i) }, async (_, k) => {
        const browser = new LtiHttpClient();
        const res = await sim.launch(url, browser, { user: { sub: `soak-${i + k}`, name: `Soak Learner ${i + k}`, roles: [LEARNER] }, clientId, context: { id: 'soak-course', title: 'Soak' } });
        if (res.status >= 400) throw new Error(`launch ${i + k}: ${res.status}`);
        return { cookie: await browser.cookieHeader(url), base: new URL(res.finalUrl).pathname };
      }))));
    }
    console.log(`soak: ${learners} learners launched in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const get = (l: Learner, path: string) => fetch(`${url}${path}`, { headers: { cookie: l.cookie }, redirect: 'manual' });
    const spacePath = (await get(people[0]!, `${people[0]!.base}/commons`)).headers.get('location')!;
    const threads: string[] = [];
    for (let t = 0; t < 10; t++) {
      const author = people[t]!;
      const page = await (await get(author, spacePath)).text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
      const r = await fetch(`${url}${spacePath}/threads`, { method: 'POST', redirect: 'manual', headers: { cookie: author.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: url, 'sec-fetch-site': 'same-origin' }, body: new URLSearchParams({ _csrf: csrf, title: `Soak thread ${t}`, body: 'Let us talk.' }) });
      threads.push(new URL(r.headers.get('location')!, url).pathname);
    }

    // A learner's reply: the thread page (for its CSRF token), then the POST; postMs times the POST alone.
    const replyTo = async (l: Learner, thread: string, text: string): Promise<{ status: number; postMs?: number }> => {
      const page = await get(l, thread);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
      if (!csrf) return { status: page.status };
      const t = performance.now();
      const posted = await fetch(`${url}${thread}/posts`, { method: 'POST', redirect: 'manual', headers: { cookie: l.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: url, 'sec-fetch-site': 'same-origin' }, body: new URLSearchParams({ _csrf: csrf, body: text }) });
      await posted.arrayBuffer();
      return { status: posted.status, postMs: performance.now() - t };
    };

    // The statements each kind of request runs, alone and warm: the fewest of three requests after a
    // first (background work, such as the roster syncs the launches asked for, may add to one).
    const counting = await statementCountsAvailable(handle.pool);
    const perKind = new Map<string, number>();
    const probe = people[1]!;
    if (counting) {
      for (const [kind, path] of [['hub', probe.base], ['module', `${probe.base}/modules/1`], ['space', spacePath], ['thread', threads[0]!]] as const) {
        await (await get(probe, path)).arrayBuffer();
        for (let i = 0; i < 3; i++) {
          const before = await statementsSettled(handle.pool);
          await (await get(probe, path)).arrayBuffer();
          const n = totalCalls(statementsBetween(before, await statementsSettled(handle.pool)));
          perKind.set(kind, Math.min(n, perKind.get(kind) ?? n));
        }
      }
    }
    const replyStatements = async (): Promise<number> => {
      const page = await get(probe, threads[0]!);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const before = await statementsSettled(handle.pool);
      await fetch(`${url}${threads[0]!}/posts`, { method: 'POST', redirect: 'manual', headers: { cookie: probe.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: url, 'sec-fetch-site': 'same-origin' }, body: new URLSearchParams({ _csrf: csrf, body: `probe reply ${Math.random()}` }) });
      return totalCalls(statementsBetween(before, await statementsSettled(handle.pool)));
    };
    if (counting) perKind.set('reply POST', await replyStatements());

    // The soak itself.
    const tally = new Tally();
    const acknowledged: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((r) => { stop = r; });
    const streams = people.filter((_, i) => i % 10 < 3);
    await Promise.all(streams.map((l) => holdStream(`${url}${spacePath}/events`, l.cookie, tally, stopped)));
    // What one reply costs the open streams of its space (the checks before each event is written).
    const perStream = counting ? ((await replyStatements()) - perKind.get('reply POST')!) / streams.length : undefined;

    const statementsBefore: StatementCounts | undefined = counting ? await readStatementCounts(handle.pool) : undefined;
    const pgDataDir = (await handle.pool.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
    const cpuBefore = { app: cpuSecondsOf(server.child.pid!), pg: postgresCpuSeconds(pgDataDir), client: ownCpuSeconds(), at: performance.now() };
    const rss: number[] = [rssMb(server.child.pid!)];
    const rssTimer = setInterval(() => rss.push(rssMb(server.child.pid!)), 1000);
    const waits = sampleBackends(databaseUrl);
    const deadline = performance.now() + seconds * 1000;
    const step = async (l: Learner, n: number): Promise<void> => {
      const roll = Math.random();
      const kind: Kind = roll < 0.3 ? 'hub' : roll < 0.5 ? 'module' : roll < 0.7 ? 'space' : roll < 0.92 ? 'thread' : 'reply';
      const thread = threads[n % threads.length]!;
      const started = performance.now();
      try {
        if (kind === 'reply') {
          const text = `soak reply ${l.base.slice(-6)}-${n}-${Math.random().toString(36).slice(2)}`;
          const r = await replyTo(l, thread, text);
          if (r.postMs === undefined) return tally.record('thread', performance.now() - started, r.status);
          if (r.status === 303) acknowledged.push(text);
          tally.record('reply POST', r.postMs, r.status);
          return tally.record('reply', performance.now() - started, r.status);
        }
        const path = kind === 'hub' ? l.base : kind === 'module' ? `${l.base}/modules/1` : kind === 'space' ? spacePath : thread;
        const res = await get(l, path);
        await res.arrayBuffer();
        tally.record(kind, performance.now() - started, res.status);
      } catch (err) {
        tally.socketError(kind, err);
      }
    };
    await Promise.all(people.map(async (l, i) => {
      await sleep(Math.random() * 3000); // arrivals spread over the first seconds
      for (let n = i; performance.now() < deadline; n++) {
        await step(l, n);
        await sleep(2000 + Math.random() * 3000); // think time 2–5 s
      }
    }));
    const wall = (performance.now() - cpuBefore.at) / 1000;
    const used = { app: cpuSecondsOf(server.child.pid!) - cpuBefore.app, pg: postgresCpuSeconds(pgDataDir) - cpuBefore.pg, client: ownCpuSeconds() - cpuBefore.client };
    const cpu = (seconds: number) => `${((100 * seconds) / wall).toFixed(0)} %`;
    const statementsInSoak = statementsBefore ? statementsBetween(statementsBefore, await readStatementCounts(handle.pool)) : undefined;
    stop();
    clearInterval(rssTimer);
    const backends = await waits.stop();
    rss.push(rssMb(server.child.pid!));

    // Every acknowledged reply is stored.
    const stored = new Set((await handle.db.selectFrom('posts').select('bodySource').where('bodySource', 'like', 'soak reply %').execute()).map((r) => r.bodySource));
    const lost = acknowledged.filter((t) => !stored.has(t)).length;
    const all = [...tally.latencies].filter(([k]) => k !== 'reply POST').flatMap(([, v]) => v);
    console.log(`${opts.label ?? `soak ${learners} learners`}, ${seconds} s, think 2–5 s, 30 % holding live updates — ${all.length} requests, ${(all.length / seconds).toFixed(0)} req/s (node ${startFlags().join(' ')})`);
    // CPU per request is what a change to the app moves; the shares also follow what else the machine runs.
    const perRequest = (seconds: number) => `${((1000 * seconds) / all.length).toFixed(1)} ms`;
    console.log(`  CPU over the soak, % of one core (2 cores = 200 %): app ${cpu(used.app)}, PostgreSQL ${cpu(used.pg)}, load generator ${cpu(used.client)}; per request: app ${perRequest(used.app)}, PostgreSQL ${perRequest(used.pg)}`);
    const every = Math.max(10, Math.round(seconds / 10));
    console.log(`  app RSS: peak ${Math.max(...rss).toFixed(0)} MB, at the end ${rss.at(-1)!.toFixed(0)} MB (goal ≤ 250 MB); every ${every} s: ${rss.filter((_, i) => i % every === 0).map((m) => m.toFixed(0)).join(' ')} MB`);
    for (const [kind, list] of tally.latencies) {
      list.sort((a, b) => a - b);
      const statements = perKind.has(kind) ? `  ${String(perKind.get(kind)).padStart(3)} statements alone` : '';
      console.log(`  ${kind.padEnd(10)} ${String(list.length).padStart(6)} requests  p50 ${pct(list, 0.5).toFixed(0).padStart(5)} ms  p99 ${pct(list, 0.99).toFixed(0).padStart(5)} ms${statements}`);
    }
    const fivexx = [...tally.statuses].filter(([k]) => / 5\d\d$/.test(k)).reduce((n, [, v]) => n + v, 0);
    const shed = [...tally.statuses].filter(([k]) => / 503$/.test(k)).reduce((n, [, v]) => n + v, 0);
    console.log(`  answers ≥ 400: ${JSON.stringify(Object.fromEntries(tally.statuses))}; 5xx ${fivexx} (of which 503 shed ${shed}); socket errors ${tally.socketErrors}${tally.errorCodes.size ? ` ${JSON.stringify(Object.fromEntries(tally.errorCodes))}` : ''}; replies acknowledged ${acknowledged.length}, lost ${lost}`);
    console.log(`  the app's PostgreSQL backends, on average over ${backends.samples} samples: ${backends.top.map(([what, n]) => `${(n / backends.samples).toFixed(1)} ${what}`).join('; ') || 'none busy'}`);
    if (statementsInSoak) {
      console.log(`  statements: a reply costs its space's ${streams.length} open streams ${perStream!.toFixed(1)} each; in the soak ${totalCalls(statementsInSoak)} in all, ${(totalCalls(statementsInSoak) / all.length).toFixed(1)} per request; the most run:`);
      for (const st of statementsInSoak.slice(0, 8)) console.log(`    ${describeStatement(st)}`);
      // Where PostgreSQL's time went (it is the soak's bottleneck): the top 10 by total execution time.
      const totalMs = statementsInSoak.reduce((n, st) => n + st.ms, 0);
      console.log(`  statements by total time (${(totalMs / 1000).toFixed(1)} s executing in all, ${(totalMs / all.length).toFixed(2)} ms per request):`);
      for (const st of [...statementsInSoak].sort((x, y) => y.ms - x.ms).slice(0, 10)) console.log(`    ${(100 * st.ms / totalMs).toFixed(1).padStart(5)} %  ${describeStatement(st)}`);
    } else {
      console.log('  statements: not counted (pg_stat_statements is not loaded in this PostgreSQL)');
    }
  } finally {
    await sim.close();
    await server.stop();
  }
}

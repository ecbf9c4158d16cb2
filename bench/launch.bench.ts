// A full simulated LTI launch — login, platform auth, id_token POST, hub page: four round trips —
// at 1 and 20 concurrent browsers. Besides the client's figures it prints our side of a launch:
// the server's time per step (from the request's arrival to its last byte, at 1 concurrent so no
// queueing is counted) and the PostgreSQL round trips each step makes. Then 20 concurrent again with
// the app in its own process, as production runs it (the simulated LMS and browsers, which sign and
// parse as much as the app does, no longer share its event loop), with the CPU each side used.
import http from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { sql } from 'kysely';
import { LtiHttpClient, LtiPlatformSimulator } from '../test/support/lti-platform-simulator.ts';
import { connectPlatform } from '../test/support/lti-fixtures.ts';
import { measure, report, startAppProcess, startBenchApp, type Figures } from './bench-support.ts';
import { cpuSecondsOf, ownCpuSeconds, postgresCpuSeconds } from './process-stats.ts';

type Step = 'login' | 'launch' | 'page';
const STEPS: Step[] = ['login', 'launch', 'page'];

/** The step a request or query belongs to; queries outside any request (jobs, listeners) have none. */
const current = new AsyncLocalStorage<Step>();

interface StepFigures { requests: number; ms: number; queries: number; queryMs: number; texts: Map<string, number> }
let tally: Map<Step | 'background', StepFigures> | undefined;
const figuresOf = (step: Step | 'background') => {
  let f = tally!.get(step);
  if (!f) tally!.set(step, (f = { requests: 0, ms: 0, queries: 0, queryMs: 0, texts: new Map() }));
  return f;
};

// Every query the app sends while tallying (the app runs in this process, on this pg), and how long
// each kept the request waiting (from sending it to its answer: the round trip and PostgreSQL's work).
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const t0 = performance.now();
  const answer = (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  if (tally) {
    const q = args[0];
    const text = typeof q === 'string' ? q : (q as { text?: string } | undefined)?.text;
    const f = figuresOf(current.getStore() ?? 'background');
    f.queries++;
    const key = (text ?? '?').replace(/\s+/g, ' ').trim().slice(0, 90);
    f.texts.set(key, (f.texts.get(key) ?? 0) + 1);
    if (answer instanceof Promise) answer.then(() => (f.queryMs += performance.now() - t0), () => (f.queryMs += performance.now() - t0));
  }
  return answer;
} as typeof pg.Client.prototype.query;

function stepOf(url: string): Step {
  if (url.startsWith('/lti/login')) return 'login';
  if (url.startsWith('/lti/launch')) return 'launch';
  return 'page';
}

/** A server that times each request and runs it in its step's context (before the app's own listener). */
function timedServer(): http.Server {
  const server = http.createServer();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const step = stepOf(req.url ?? '/');
    current.enterWith(step);
    const t0 = performance.now();
    res.on('finish', () => {
      if (!tally) return;
      const f = figuresOf(step);
      f.requests++;
      f.ms += performance.now() - t0;
    });
  });
  return server;
}

export async function benchLaunch(databaseUrl: string): Promise<void> {
  const app = await startBenchApp(databaseUrl, { server: timedServer() });
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Bench Moodle' });
  try {
    const { clientId } = await connectPlatform(app, sim);
    let courses = 10;
    const launchOnce = launcher(sim, app.url, clientId, () => courses);
    // Deadlocks PostgreSQL broke (each one a retried launch) and lock waits seen while `run` goes on.
    const contention = async <T>(run: () => Promise<T>): Promise<{ result: T; deadlocks: number; lockWaits: number }> => {
      const deadlocks = async () => Number((await sql<{ n: string }>`SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()`.execute(app.db)).rows[0]!.n);
      const before = await deadlocks();
      let lockWaits = 0;
      let running = true;
      const sampler = (async () => {
        while (running) {
          const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(app.db);
          lockWaits = Math.max(lockWaits, rows[0]!.n);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const result = await run().finally(() => (running = false));
      await sampler;
      return { result, deadlocks: (await deadlocks()) - before, lockWaits };
    };
    await measure(20, 1, launchOnce); // warm-up: JIT, JWKS cache, pools
    tally = new Map();
    const single = await measure(200, 1, launchOnce);
    const ours = tally;
    tally = undefined;
    report('launch (4 HTTP requests), 1 concurrent ', single);
    report('launch (4 HTTP requests), 20 concurrent', await measure(1000, 20, launchOnce));
    courses = 1;
    const oneCourse = await contention(() => measure(500, 20, launchOnce));
    report('launch, 20 concurrent, all in one course', oneCourse.result);
    console.log(`launch, one course: locks                         ${oneCourse.deadlocks} deadlocks (retried launches), at most ${oneCourse.lockWaits} sessions waiting on a lock at once`);
    printOurSide(ours, single.count);
  } finally {
    await sim.close();
    await app.close();
  }
  await benchLaunchAppProcess(databaseUrl);
}

/** One launch after another (learners and courses in turn): true when it landed on a page. */
function launcher(sim: LtiPlatformSimulator, url: string, clientId: string, courses: () => number): () => Promise<boolean> {
  let n = 0;
  return async () => {
    const i = n++;
    const res = await sim.launch(url, new LtiHttpClient(), {
      user: { sub: `learner-${i % 500}`, name: `Learner ${i % 500}`, roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] },
      context: { id: `course-${i % courses()}`, title: `Course ${i % courses()}` },
      clientId,
    });
    return res.status === 200;
  };
}

/** 20 concurrent launches into the app in its own process, and the CPU each process used per launch. */
async function benchLaunchAppProcess(databaseUrl: string): Promise<void> {
  const server = await startAppProcess(databaseUrl);
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Bench Moodle' });
  try {
    const { clientId } = await connectPlatform(server.app, sim);
    const launchOnce = launcher(sim, server.url, clientId, () => 10);
    await measure(200, 20, launchOnce); // warm-up: JIT, caches, pools
    const pgDataDir = (await server.handle.pool.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
    const before = { app: cpuSecondsOf(server.child.pid!), pg: postgresCpuSeconds(pgDataDir), here: ownCpuSeconds() };
    const figures: Figures = await measure(1000, 20, launchOnce);
    const perLaunch = (seconds: number) => `${((1000 * seconds) / figures.count).toFixed(1)} ms`;
    report('launch, 20 concurrent, app in its own process', figures);
    console.log(`launch, app in its own process: CPU per launch   app ${perLaunch(cpuSecondsOf(server.child.pid!) - before.app)}, PostgreSQL ${perLaunch(postgresCpuSeconds(pgDataDir) - before.pg)}, simulated LMS and browsers ${perLaunch(ownCpuSeconds() - before.here)}`);
  } finally {
    await sim.close();
    await server.stop();
  }
}

/** Our side of one launch at 1 concurrent: server ms and PostgreSQL round trips per step. */
function printOurSide(figures: Map<Step | 'background', StepFigures>, launches: number): void {
  let ms = 0;
  let queries = 0;
  const parts: string[] = [];
  for (const step of STEPS) {
    const f = figures.get(step);
    if (!f) continue;
    ms += f.ms / launches;
    queries += f.queries / launches;
    parts.push(`${step} ${(f.ms / launches).toFixed(1)} ms, ${(f.queries / launches).toFixed(1)} rt waiting ${(f.queryMs / launches).toFixed(1)} ms`);
  }
  const background = (figures.get('background')?.queries ?? 0) / launches;
  console.log(`launch, our side per launch (1 concurrent)        ${ms.toFixed(1)} ms, ${queries.toFixed(1)} round trips (${parts.join('; ')}; outside requests ${background.toFixed(1)} rt)`);
  if (process.env.BENCH_LAUNCH_QUERIES) {
    for (const [step, f] of figures) {
      console.log(`  ${step}:`);
      for (const [text, count] of f.texts) console.log(`    ${(count / launches).toFixed(2).padStart(6)}  ${text}`);
    }
  }
}

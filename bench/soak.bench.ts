// Soak: N learners of one cohort use Circlework as people do — hub, module page, the commons, a
// thread, now and then a reply — with think time between steps, 30 % of them holding a live-update
// stream. The app runs as its own process (server/main.ts, production mode) so the load generator
// does not share its event loop; its RSS is read from /proc. Prints, per page kind, p50/p99 and the
// answers that were not 2xx/3xx; socket errors; acknowledged replies against replies stored.
// Run alone with `npm run bench -- soak` (BENCH_SOAK_LEARNERS, BENCH_SOAK_SECONDS: default 500, 60).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createDb } from '../models/db.ts';
import { migrateToLatest } from '../models/migrate.ts';
import { resetDatabase } from '../test/support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../test/support/lti-platform-simulator.ts';
import { connectPlatform } from '../test/support/lti-fixtures.ts';
import { freePort, startScript, waitFor } from '../test/support/processes.ts';
import type { TestApp } from '../test/support/test-app.ts';

const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
const SECRETS = { SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789', LTI_ENCRYPTION_KEY: 'bench-lti-encryption-key-0123456789abcdef012345' };
type Kind = 'hub' | 'module' | 'space' | 'thread' | 'reply';

interface Learner { cookie: string; base: string }

class Tally {
  readonly latencies = new Map<Kind, number[]>();
  readonly statuses = new Map<string, number>();
  socketErrors = 0;
  record(kind: Kind, ms: number, status: number): void {
    const list = this.latencies.get(kind) ?? [];
    list.push(ms);
    this.latencies.set(kind, list);
    if (status >= 400) this.statuses.set(`${kind} ${status}`, (this.statuses.get(`${kind} ${status}`) ?? 0) + 1);
  }
}

/** The node flags `npm start` runs the app with (package.json), so the soak measures that process. */
function startFlags(): string[] {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  return start.filter((arg) => arg.startsWith('--'));
}

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Holds a live-update stream open until `stop`; counts a reset as a socket error. */
function holdStream(url: string, cookie: string, tally: Tally, stop: Promise<void>): void {
  const req = http.get(url, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
    if (res.statusCode !== 200) tally.statuses.set(`stream ${res.statusCode}`, (tally.statuses.get(`stream ${res.statusCode}`) ?? 0) + 1);
    res.resume();
  });
  req.on('error', () => { if (!stopped) tally.socketErrors++; });
  let stopped = false;
  void stop.then(() => { stopped = true; req.destroy(); });
}

export async function benchSoak(databaseUrl: string, opts: { learners?: number; seconds?: number; label?: string } = {}): Promise<void> {
  const learners = opts.learners ?? Number(process.env.BENCH_SOAK_LEARNERS ?? 500);
  const seconds = opts.seconds ?? Number(process.env.BENCH_SOAK_SECONDS ?? 60);
  const handle = createDb(databaseUrl, { max: 4 });
  await migrateToLatest(handle.db);
  await resetDatabase(handle);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = startScript('server/main.ts', { ...SECRETS, NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, DATABASE_URL: databaseUrl }, startFlags());
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Soak Moodle' });
  try {
    await waitFor(async () => (await fetch(`${url}/healthz`)).ok, 'the app process to answer /healthz');
    const app = { url, db: handle.db, config: { ltiEncryptionKey: SECRETS.LTI_ENCRYPTION_KEY } } as unknown as TestApp;
    const { clientId } = await connectPlatform(app, sim);

    // Launch everyone (a few at a time), then a few threads to talk in.
    const people: Learner[] = [];
    const t0 = performance.now();
    for (let i = 0; i < learners; i += 10) {
      people.push(...(await Promise.all(Array.from({ length: Math.min(10, learners - i) }, async (_, k) => {
        const browser = new LtiHttpClient();
        const res = await sim.launch(url, browser, { user: { sub: `soak-${i + k}`, name: `Soak Learner ${i + k}`, roles: [LEARNER] }, clientId, context: { id: 'soak-course', title: 'Soak' } });
        if (res.status >= 400) throw new Error(`launch ${i + k}: ${res.status}`);
        return { cookie: (await browser.cookies(url)).map((c) => `${c.key}=${c.value}`).join('; '), base: new URL(res.finalUrl).pathname };
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

    // The soak itself.
    const tally = new Tally();
    const acknowledged: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((r) => { stop = r; });
    const deadline = performance.now() + seconds * 1000;
    people.forEach((l, i) => { if (i % 10 < 3) holdStream(`${url}${spacePath}/events`, l.cookie, tally, stopped); });
    let peakRss = rssMb(server.child.pid!);
    const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, rssMb(server.child.pid!)); }, 1000);
    const step = async (l: Learner, n: number): Promise<void> => {
      const roll = Math.random();
      const kind: Kind = roll < 0.3 ? 'hub' : roll < 0.5 ? 'module' : roll < 0.7 ? 'space' : roll < 0.92 ? 'thread' : 'reply';
      const thread = threads[n % threads.length]!;
      const started = performance.now();
      try {
        if (kind === 'reply') {
          const page = await get(l, thread);
          const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
          if (!csrf) return tally.record('thread', performance.now() - started, page.status);
          const text = `soak reply ${l.base.slice(-6)}-${n}-${Math.random().toString(36).slice(2)}`;
          const posted = await fetch(`${url}${thread}/posts`, { method: 'POST', redirect: 'manual', headers: { cookie: l.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: url, 'sec-fetch-site': 'same-origin' }, body: new URLSearchParams({ _csrf: csrf, body: text }) });
          await posted.arrayBuffer();
          if (posted.status === 303) acknowledged.push(text);
          return tally.record('reply', performance.now() - started, posted.status);
        }
        const path = kind === 'hub' ? l.base : kind === 'module' ? `${l.base}/modules/1` : kind === 'space' ? spacePath : thread;
        const res = await get(l, path);
        await res.arrayBuffer();
        tally.record(kind, performance.now() - started, res.status);
      } catch {
        tally.socketErrors++;
      }
    };
    await Promise.all(people.map(async (l, i) => {
      await sleep(Math.random() * 3000); // arrivals spread over the first seconds
      for (let n = i; performance.now() < deadline; n++) {
        await step(l, n);
        await sleep(2000 + Math.random() * 3000); // think time 2–5 s
      }
    }));
    stop();
    clearInterval(rssTimer);

    // Every acknowledged reply is stored.
    const stored = new Set((await handle.db.selectFrom('posts').select('bodySource').where('bodySource', 'like', 'soak reply %').execute()).map((r) => r.bodySource));
    const lost = acknowledged.filter((t) => !stored.has(t)).length;
    const all = [...tally.latencies.values()].flat();
    console.log(`${opts.label ?? `soak ${learners} learners`}, ${seconds} s, think 2–5 s, 30 % holding live updates — ${all.length} requests, ${(all.length / seconds).toFixed(0)} req/s, app RSS peak ${peakRss.toFixed(0)} MB (node ${startFlags().join(' ')})`);
    for (const [kind, list] of tally.latencies) {
      list.sort((a, b) => a - b);
      console.log(`  ${kind.padEnd(8)} ${String(list.length).padStart(6)} requests  p50 ${pct(list, 0.5).toFixed(0).padStart(5)} ms  p99 ${pct(list, 0.99).toFixed(0).padStart(5)} ms`);
    }
    const fivexx = [...tally.statuses].filter(([k]) => / 5\d\d$/.test(k)).reduce((n, [, v]) => n + v, 0);
    const shed = [...tally.statuses].filter(([k]) => / 503$/.test(k)).reduce((n, [, v]) => n + v, 0);
    console.log(`  answers ≥ 400: ${JSON.stringify(Object.fromEntries(tally.statuses))}; 5xx ${fivexx} (of which 503 shed ${shed}); socket errors ${tally.socketErrors}; replies acknowledged ${acknowledged.length}, lost ${lost}`);
  } finally {
    await sim.close();
    server.child.kill('SIGTERM');
    await server.exited;
    await handle.close();
  }
}

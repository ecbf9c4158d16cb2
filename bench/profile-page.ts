// Not a benchmark: profiles the app while autocannon loads one page (the bench's thread, space,
// hub or module page, or a facilitator's page of a 600-learner cohort with 3,000 posts), and prints
// the page's size, the statements one request runs (with pg_stat_statements) and where the CPU
// went. `node bench/profile-page.ts thread` (or social600, …)
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { LtiPlatformSimulator } from '../test/support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../test/support/lti-fixtures.ts';
import { cohortMembers } from '../test/support/cohort-members.ts';
import { benchDatabaseUrl, load, startBenchApp, stopBenchDatabase } from './bench-support.ts';
import { launchMany, seedBenchThread } from './scale.bench.ts';
import { BROWSER_ACCEPT_ENCODING, seedGroupPosts } from './dashboard.bench.ts';
import { describeStatement, readStatementCounts, statementCountsAvailable, statementsBetween, totalCalls } from './statement-counts.ts';

const which = process.argv[2] ?? 'thread';
/** A facilitator's pages of the 600-learner cohort, by name. */
const FACILITATOR_PAGES: Record<string, string> = { console600: '', dashboard600: '/dashboard', social600: '/social', inquiry600: '/inquiry', report600: '/report' };
// Our files are named from the repository's root, wherever the checkout is.
const root = `${path.dirname(path.dirname(fileURLToPath(import.meta.url)))}/`;
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const databaseUrl = await benchDatabaseUrl();
const app = await startBenchApp(databaseUrl);
const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Bench Moodle' });
try {
  const lms = await connectPlatform(app, sim);
  const people = cohortMembers(() => ({ app, lms }), { id: 'scale-60' });
  await launchMany(people, 'scale-60', 20);
  const role = process.env.PROFILE_ROLE === 'facilitator' ? ROLES.instructor : ROLES.learner;
  const reader = await people.launch({ sub: role === ROLES.learner ? 'scale-60-l0' : 'scale-60-f', name: 'Learner 0', roles: [role] }, { id: 'scale-60' });
  const learner = role === ROLES.learner ? reader : await people.launch({ sub: 'scale-60-l0', name: 'Learner 0', roles: [ROLES.learner] }, { id: 'scale-60' });
  const space = await people.follow(learner, `${learner.base}/modules/1/space`);
  const { thread } = await seedBenchThread(app.db, people, learner, space);
  await sql`ANALYZE`.execute(app.db);
  let facilitator: { url: string; cookie: string } | undefined;
  if (which in FACILITATOR_PAGES) {
    // PROFILE_LEARNERS=60: the dashboard bench's smaller cohort (300 threads) instead.
    const learners = Number(process.env.PROFILE_LEARNERS ?? 600);
    const f = await launchMany(people, `dash-${learners}`, learners);
    await seedGroupPosts(app.db, f.cohortId, learners * 5);
    await sql`ANALYZE`.execute(app.db);
    facilitator = { url: `${f.base}/console${FACILITATOR_PAGES[which]}`, cookie: await f.browser.cookieHeader(app.url) };
  }
  const url = facilitator?.url ?? { thread, space, hub: reader.base, module: `${reader.base}/modules/1`, trivial: `${reader.base}/notifications` }[which] ?? which;
  const cookie = facilitator?.cookie ?? (await reader.browser.cookieHeader(app.url));
  const first = await fetch(url, { headers: { cookie } });
  // Loaded as a browser asks (a big page in parts goes compressed); PROFILE_ACCEPT_ENCODING=identity: as it is.
  const headers = { cookie, 'accept-encoding': process.env.PROFILE_ACCEPT_ENCODING ?? BROWSER_ACCEPT_ENCODING };
  const body = await first.text();
  console.log(`${which}: ${first.status}, ${body.length} bytes, ${(body.match(/<form/g) ?? []).length} forms`);
  if (process.env.PROFILE_SAVE) writeFileSync(process.env.PROFILE_SAVE, body);
  await load(url, headers, 2, 50); // warm
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  const plain = await (async () => { const c0 = process.cpuUsage(); const l = await load(url, headers, seconds, 50); const c = process.cpuUsage(c0); return `${l.rps.toFixed(0)} req/s, app CPU per request ${((c.user + c.system) / 1000 / l.requests).toFixed(2)} ms without the profiler`; })();
  console.log(plain);
  // What PostgreSQL ran per request of the page (pg_stat_statements, when the bench's server loads it).
  if (await statementCountsAvailable(app.handle.pool)) {
    const before = await readStatementCounts(app.handle.pool);
    const counted = await load(url, headers, 2, 1);
    const ran = statementsBetween(before, await readStatementCounts(app.handle.pool));
    console.log(`statements per request (${counted.requests} requests, 1 connection): ${(totalCalls(ran) / counted.requests).toFixed(1)}, ${(ran.reduce((n, st) => n + st.ms, 0) / counted.requests).toFixed(2)} ms executing`);
    for (const st of ran.sort((x, y) => y.ms - x.ms).slice(0, 12)) console.log(`  ${describeStatement({ ...st, calls: Math.round((10 * st.calls) / counted.requests) / 10, ms: st.ms / counted.requests })}`);
  }
  await session.post('Profiler.start');
  const c0 = process.cpuUsage();
  const l = await load(url, headers, seconds, 50);
  const c = process.cpuUsage(c0);
  console.log(`app CPU per request ${((c.user + c.system) / 1000 / l.requests).toFixed(2)} ms (${l.requests} requests, profiler on)`);
  const { profile } = await session.post('Profiler.stop');
  console.log(`${l.rps.toFixed(0)} req/s p50 ${l.p50} p99 ${l.p99} non2xx ${l.non2xx}`);
  const saved = path.join(os.tmpdir(), `circlework-${which}.cpuprofile`);
  writeFileSync(saved, JSON.stringify(profile));
  console.log(`CPU profile: ${saved}`);
  // Self time per function and per package.
  const total = profile.samples!.length;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const s of profile.samples!) self.set(s, (self.get(s) ?? 0) + 1);
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  for (const [id, n] of self) {
    const node = byId.get(id)!;
    const f = node.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.replace(/.*node_modules\//, '').replace(`file://${root}`, '')}:${f.lineNumber}`;
    fn.set(key, (fn.get(key) ?? 0) + n);
    const p = f.url.includes('node_modules/') ? f.url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1') : f.url.startsWith(`file://${root}`) ? f.url.slice(`file://${root}`.length).split('/').slice(0, 2).join('/') : f.url || f.functionName;
    pkg.set(p, (pkg.get(p) ?? 0) + n);
  }
  const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, n]) => `  ${((100 * n) / total).toFixed(1).padStart(5)}%  ${name}`).join('\n');
  console.log(`self time by package/file:\n${top(pkg, 30)}\nby function:\n${top(fn, 40)}`);
} finally {
  await sim.close();
  await app.close();
  await stopBenchDatabase();
}

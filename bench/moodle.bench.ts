// Goal 6 of issue 11: Circlework's thread page beside a real Moodle 4.5.6 forum discussion of the
// same 50 posts, with the reference page, in the same rounds. It needs a Moodle running beside the
// bench (../shared/REAL-MOODLE.md; nothing of Moodle is in the repository or in CI):
//   BENCH_MOODLE_DISCUSSION_URL  the discussion, http://…/mod/forum/discuss.php?d=N
//   BENCH_MOODLE_LOGINS          who reads it, "user:password,user:password,…" (students of its course)
// Each connection reads as one of them, round robin: Moodle locks a person's session for the length
// of a request, so one session on every connection would measure that lock, not the page. Give as
// many people as connections (50). bench/moodle-seed.php makes the course, 50 students and the
// discussion of 50 posts with Moodle's own data generator:
//   sudo -u www-data php bench/moodle-seed.php /var/www/moodle   (prints the discussion's id)
import { load, median, type Load } from './bench-support.ts';
import { sql } from 'kysely';
import { seedScale, startThreadBench } from './scale.bench.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = 3;

/** Signs in on Moodle's login form (its logintoken included) and returns the session's Cookie header. */
async function moodleSession(site: string, username: string, password: string): Promise<string> {
  const loginUrl = new URL('/login/index.php', site).href;
  const form = await fetch(loginUrl);
  const token = /name="logintoken" value="([^"]+)"/.exec(await form.text())?.[1];
  const first = form.headers.getSetCookie().map((c) => c.split(';')[0]!);
  if (!token) throw new Error(`${loginUrl}: no logintoken on the login form`);
  const signedIn = await fetch(loginUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: first.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, logintoken: token }),
  });
  const session = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('MoodleSession='));
  if (signedIn.status !== 303 || !session) throw new Error(`signing in ${username} on ${site}: ${signedIn.status}`);
  return session;
}

export async function benchMoodle(databaseUrl: string, seconds = Number(process.env.BENCH_SECONDS ?? 8)): Promise<void> {
  const discussion = process.env.BENCH_MOODLE_DISCUSSION_URL;
  const logins = (process.env.BENCH_MOODLE_LOGINS ?? '').split(',').filter(Boolean).map((l) => l.split(':') as [string, string]);
  if (!discussion || logins.length === 0) {
    console.log('\nMoodle beside the thread page: skipped (set BENCH_MOODLE_DISCUSSION_URL and BENCH_MOODLE_LOGINS; see bench/moodle.bench.ts)');
    return;
  }
  const moodleCookies = await Promise.all(logins.map(([user, password]) => moodleSession(discussion, user, password)));
  const check = await fetch(discussion, { headers: { cookie: moodleCookies[0]! }, redirect: 'manual' });
  const moodlePage = await check.text();
  if (check.status !== 200) throw new Error(`the Moodle discussion answers ${check.status}`);
  const moodlePosts = (moodlePage.match(/data-content="forum-post"/g) ?? []).length;

  const { app, lms, tenantId, thread, reference, cookie, close } = await startThreadBench(databaseUrl, 'moodle-cmp', { group: 6 });
  const rounds = async (size: string): Promise<void> => {
    console.log(`\n${size}`);
    const figures: Record<'reference' | 'circlework' | 'moodle', Load[]> = { reference: [], circlework: [], moodle: [] };
    for (let r = 1; r <= ROUNDS; r++) {
      const ref = await load(reference.url, {}, seconds, CONNECTIONS);
      const ours = await load(thread, { cookie }, seconds, CONNECTIONS);
      const theirs = await load(discussion, {}, seconds, CONNECTIONS, moodleCookies);
      // PHP-FPM is still working through what nginx queued when the load stopped; the next figures
      // must not share the cores with it. Its queue is first come, first served: one more request
      // answers once the backlog is gone.
      await fetch(discussion, { headers: { cookie: moodleCookies[0]! }, signal: AbortSignal.timeout(300_000) }).then((res) => res.arrayBuffer());
      // One reader at a time: each page's latency on an otherwise idle machine.
      const alone = { reference: await load(reference.url, {}, 4, 1), circlework: await load(thread, { cookie }, 4, 1), moodle: await load(discussion, { cookie: moodleCookies[0]! }, 4, 1) };
      figures.reference.push(ref);
      figures.circlework.push(ours);
      figures.moodle.push(theirs);
      const line = (name: string, l: Load, one: Load) =>
        `round ${r}  ${name.padEnd(34)} ${l.rps.toFixed(1).padStart(8)} req/s  ratio ${(l.rps / ref.rps).toFixed(4).padStart(7)}  p50 ${String(l.p50).padStart(5)} ms  p99 ${String(l.p99).padStart(5)} ms  non-2xx ${l.non2xx + one.non2xx}  errors ${l.errors + one.errors}  1 reader: p50 ${one.p50} ms p99 ${one.p99} ms`;
      console.log(line('reference (50 posts, 1 query)', ref, alone.reference));
      console.log(line('Circlework thread, 50 posts', ours, alone.circlework));
      console.log(line('Moodle 4.5.6 discussion, 50 posts', theirs, alone.moodle));
      console.log(`round ${r}  Circlework ÷ Moodle: ${(ours.rps / theirs.rps).toFixed(1)}×`);
    }
    const rps = (k: keyof typeof figures) => median(figures[k].map((l) => l.rps));
    console.log(`median of ${ROUNDS}: reference ${rps('reference').toFixed(0)} req/s, Circlework ${rps('circlework').toFixed(0)} (${(rps('circlework') / rps('reference')).toFixed(2)} of the reference), Moodle ${rps('moodle').toFixed(1)} (${(rps('moodle') / rps('reference')).toFixed(4)}): Circlework ÷ Moodle ${(rps('circlework') / rps('moodle')).toFixed(0)}×`);
  };
  try {
    console.log(`\nThe thread page beside a real Moodle discussion (${moodlePosts} posts on Moodle's page, 50 on ours), ${CONNECTIONS} connections, ${seconds} s each, ${ROUNDS} rounds`);
    console.log(`Moodle: ${discussion}, ${moodleCookies.length} signed-in sessions; its PHP and PostgreSQL share this machine's cores`);
    const count = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM posts`.execute(app.db)).rows[0]!.n);
    await rounds(`${await count()} posts in our database`);
    // At any database size: the same rounds once ours holds ~BENCH_POSTS posts (Moodle's stays as it is).
    const posts = Number(process.env.BENCH_POSTS ?? 1_000_000);
    if (posts > 0) {
      await seedScale(app.db, lms.platform.id, tenantId, 200, posts);
      await rounds(`${await count()} posts in our database (seeded across 200 more tenants and 400 more cohorts, VACUUMed and ANALYZEd)`);
    }
  } finally {
    await close();
  }
}

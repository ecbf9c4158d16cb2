// Discussion spaces. (1) A group space holding 50 posts (one thread: the opening post and 49
// replies), its space page and its thread page read by a signed-in member at 50 connections
// (autocannon in a second process, as pages.bench.ts). (2) Post-to-visible across two app
// instances on one database: a reply POSTed through instance A's real route, timed from just
// before the POST until an SSE client of instance B receives its `post` event. A and B are two
// createApp instances with their own pools and LISTEN connections, in this one process (as in
// test/integration/live-updates.test.ts), so the figure includes sharing one event loop.
// Every post is made through the real HTTP routes (CSRF token, posting rate limits and all), paced
// to stay under the per-person limits (5 in 10 s, 15 a minute): nothing is written behind the app.
import http from 'node:http';
import { parse } from 'node-html-parser';
import { LtiHttpClient, LtiPlatformSimulator, type SimUser } from '../test/support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../test/support/lti-fixtures.ts';
import { startTestApp, type TestApp } from '../test/support/test-app.ts';
import { load, printLoad, startBenchApp } from './bench-support.ts';

interface Member {
  browser: LtiHttpClient;
  /** `${app.url}/cohorts/<cohortId>` */
  base: string;
  csrf?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const BODY = (i: number) =>
  `Post ${i}. What worked for me this week: I wrote a **short note** at the end of each day about one thing I learned and one question I still had, ` +
  `then shared it with the group.\n\n- it takes five minutes\n- people answer the questions\n\nMore in [the module](https://example.org/module-1).`;

async function launch(app: TestApp, lms: ConnectedPlatform, user: SimUser, context: string): Promise<Member> {
  const browser = new LtiHttpClient();
  const res = await lms.sim.launch(app.url, browser, { user, clientId: lms.clientId, context: { id: context, title: `Bench ${context}` } });
  if (res.status !== 200) throw new Error(`launch of ${user.sub}: ${res.status}`);
  const cohortId = new URL(res.finalUrl).pathname.split('/')[2]!;
  return { browser, base: `${app.url}/cohorts/${cohortId}` };
}

/** Where a redirecting page (/commons, /modules/1/space) leads, as an absolute address. */
async function follow(m: Member, url: string): Promise<string> {
  const r = await m.browser.request(url);
  const to = r.headers.get('location');
  if (r.status !== 303 || !to) throw new Error(`${url}: ${r.status}`);
  return new URL(to, url).href;
}

/** The member's CSRF token (one per session), taken from `page` the first time. */
async function csrfOf(m: Member, page: string): Promise<string> {
  m.csrf ??= parse((await m.browser.request(page)).body).querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';
  return m.csrf;
}

/** POSTs a form with the member's CSRF token. */
async function postForm(m: Member, page: string, url: string, form: Record<string, string>): Promise<{ status: number; location: string | null }> {
  const r = await m.browser.request(url, { method: 'POST', form: { ...form, _csrf: await csrfOf(m, page) } });
  return { status: r.status, location: r.headers.get('location') };
}

const learner = (prefix: string, i: number): SimUser => ({ sub: `${prefix}-${i}`, name: `${prefix} Learner ${i}`, roles: [ROLES.learner] });

/** Five learners and their facilitator; the facilitator forms groups from the console (five learners make one group). */
async function groupOfFive(app: TestApp, lms: ConnectedPlatform): Promise<Member[]> {
  const members: Member[] = [];
  for (let i = 0; i < 5; i++) members.push(await launch(app, lms, learner('group', i), 'bench-space'));
  const f = await launch(app, lms, { sub: 'bench-facilitator', name: 'Bench Facilitator', roles: [ROLES.instructor] }, 'bench-space');
  const console = parse((await f.browser.request(`${f.base}/console/groups`)).body);
  const form = console.querySelector('[data-test=form-groups]')?.parentNode;
  const field = (name: string) => form?.querySelector(`input[name=${name}]`)?.getAttribute('value') ?? '';
  const formed = await postForm(f, `${f.base}/console/groups`, `${f.base}/console/groups`, { seed: field('seed'), rosterHash: field('rosterHash') });
  if (formed.status !== 303) throw new Error(`forming groups: ${formed.status}`);
  return members;
}

/**
 * Each writer makes `perWriter` posts through `post`, at most 5 per 10.5 s (the burst limit), the
 * writers in parallel. Returns the statuses other than 303, which should be none.
 */
async function paced(writers: Member[], perWriter: number, post: (m: Member, i: number) => Promise<number>): Promise<number[]> {
  const refused: number[] = [];
  await Promise.all(
    writers.map(async (m, w) => {
      for (let k = 0; k < perWriter; k++) {
        if (k > 0 && k % 5 === 0) await sleep(10_500);
        const status = await post(m, w * perWriter + k);
        if (status !== 303) refused.push(status);
      }
    }),
  );
  return refused;
}

async function benchSpacePage(app: TestApp, lms: ConnectedPlatform, seconds: number): Promise<void> {
  const group = await groupOfFive(app, lms);
  const reader = group[0]!;
  const space = await follow(reader, `${reader.base}/modules/1/space`);
  const opened = await postForm(reader, space, `${space}/threads`, { title: 'What helped this week', body: BODY(0) });
  if (opened.status !== 303 || !opened.location) throw new Error(`starting the thread: ${opened.status}`);
  const thread = new URL(opened.location, app.url).href;
  const firstPostId = parse((await reader.browser.request(thread)).body).querySelector('[data-test=post]')?.getAttribute('data-post-id') ?? '';
  // 49 replies from the five members (10 each, the reader 9), every third one nested under the opening post.
  const refused = await paced(group, 10, async (m, i) => {
    if (i === 0) return 303; // the opening post, made above
    return (await postForm(m, thread, `${thread}/posts`, { body: BODY(i), parentPostId: i % 3 === 0 ? firstPostId : '' })).status;
  });
  const shown = parse((await reader.browser.request(thread)).body).querySelectorAll('[data-test=post]').length;
  console.log(`seeded through the routes: 1 thread, ${shown} posts on its page, ${refused.length} posts refused${refused.length ? ` (${refused.join(', ')})` : ''}`);
  const cookie = await reader.browser.cookieHeader(app.url);
  printLoad('group space page (1 thread of 50), 50 conns', await load(space, { cookie }, seconds));
  printLoad(`thread page, ${shown} posts, 50 conns`, await load(thread, { cookie }, seconds));
}

/** An SSE client: records when each `post` event arrives, by post id. */
function openEvents(url: string, cookie: string) {
  const arrivals = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  let connected = () => {};
  let refused = (_: Error) => {};
  const ready = new Promise<void>((resolve, reject) => ((connected = resolve), (refused = reject)));
  const req = http.get(url, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
    if (res.statusCode !== 200) return refused(new Error(`events: ${res.statusCode}`));
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const now = performance.now();
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (block.startsWith(': connected')) connected();
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!/^event: post$/m.test(block) || !data) continue;
        const { postId } = JSON.parse(data) as { postId: string };
        arrivals.set(postId, now);
        waiting.get(postId)?.();
      }
    });
  });
  req.on('error', (err) => refused(err));
  return {
    ready,
    /** When `postId`'s event arrived, waiting up to `ms` for it; undefined if it never did. */
    arrival: async (postId: string, ms: number): Promise<number | undefined> => {
      if (!arrivals.has(postId)) await Promise.race([new Promise<void>((r) => waiting.set(postId, r)), sleep(ms)]);
      waiting.delete(postId);
      return arrivals.get(postId);
    },
    close: () => req.destroy(),
  };
}

async function benchPostToVisible(a: TestApp, lms: ConnectedPlatform, databaseUrl: string, total: number): Promise<void> {
  const b = await startTestApp({ NODE_ENV: 'production', LOG_LEVEL: 'silent' }, { databaseUrl, poolSize: 20 });
  try {
    // 50 writers in the cohort commons, each well under the limits (total / 50 posts each, all within a few seconds).
    const writers: Member[] = [];
    for (let i = 0; i < 50; i++) writers.push(await launch(a, lms, learner('live', i), 'bench-live'));
    const reader = await launch(a, lms, { sub: 'live-reader', name: 'Live Reader', roles: [ROLES.learner] }, 'bench-live');
    const commons = await follow(writers[0]!, `${writers[0]!.base}/commons`);
    const opened = await postForm(writers[0]!, commons, `${commons}/threads`, { title: 'Live thread', body: BODY(0) });
    if (opened.status !== 303 || !opened.location) throw new Error(`starting the thread: ${opened.status}`);
    const thread = new URL(opened.location, a.url).href;
    for (const w of writers) await csrfOf(w, thread); // so no timed POST includes fetching a page for its token

    // the reader's session is in PostgreSQL, so it is valid on instance B too
    const spacePath = new URL(commons).pathname;
    const events = openEvents(`${b.url}${spacePath}/events`, await reader.browser.cookieHeader(a.url));
    await events.ready;

    const latencies: number[] = [];
    let lost = 0;
    const refused: number[] = [];
    for (let i = 0; i < total; i++) {
      const writer = writers[i % writers.length]!;
      const t0 = performance.now();
      const r = await postForm(writer, thread, `${thread}/posts`, { body: BODY(i + 1) });
      const postId = /#post-([0-9a-f-]{36})$/.exec(r.location ?? '')?.[1];
      if (r.status !== 303 || !postId) {
        refused.push(r.status);
        continue;
      }
      const arrived = await events.arrival(postId, 5_000);
      if (arrived === undefined) lost++;
      else latencies.push(arrived - t0);
    }
    events.close();
    latencies.sort((x, y) => x - y);
    const at = (q: number) => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(1).padStart(7);
    console.log(
      `${'post-to-visible, POST on A → SSE on B'.padEnd(44)} ${String(total).padStart(6)} posts  p50 ${at(0.5)} ms  p99 ${at(0.99)} ms  max ${at(1)} ms  lost ${lost}  refused ${refused.length}${refused.length ? ` (${refused.join(', ')})` : ''}`,
    );
  } finally {
    await b.close();
  }
}

export async function benchSpaces(databaseUrl: string, seconds = 10, posts = 200): Promise<void> {
  const app = await startBenchApp(databaseUrl);
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Bench Moodle' });
  try {
    const lms = await connectPlatform(app, sim);
    await benchSpacePage(app, lms, seconds);
    await benchPostToVisible(app, lms, databaseUrl, posts);
  } finally {
    await sim.close();
    await app.close();
  }
}

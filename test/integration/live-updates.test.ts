// Live updates across app processes: a post made through instance A reaches an SSE client of
// instance B (PostgreSQL LISTEN/NOTIFY), and only subscribers who may see the space get it.
import { expect } from 'chai';
import http from 'node:http';
import { parse } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';

/** Reads an SSE stream with the browser's cookies; resolves each `post` event's data. */
function openEvents(url: string, cookie: string) {
  const events: Array<{ threadId: string; postId: string }> = [];
  let status = 0;
  const req = http.get(url, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
    status = res.statusCode ?? 0;
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (/^event: post$/m.test(block) && data) events.push(JSON.parse(data));
      }
    });
  });
  req.on('error', () => undefined);
  return { events, status: () => status, close: () => req.destroy() };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
}

describe('live updates across two app instances', () => {
  let a: TestApp;
  let b: TestApp;
  let sim: LtiPlatformSimulator;
  before(async () => {
    a = await startTestApp();
    b = await startTestApp();
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });
  after(async () => {
    await sim.close();
    await a.close();
    await b.close();
  });

  it('delivers a post made through instance A to an SSE client on instance B, and not to another cohort', async () => {
    await resetDatabase(a.handle);
    const lms = await connectPlatform(a, sim);
    const writer = new LtiHttpClient();
    const res = await sim.launch(a.url, writer, { user: { sub: 'w', name: 'Wren Writer', roles: [ROLES.learner] }, clientId: lms.clientId, context: { id: 'live' } });
    const cohortPath = new URL(res.finalUrl).pathname;
    const commons = await writer.request(`${a.url}${cohortPath}/commons`);
    const spacePath = commons.headers.get('location')!;

    // the reader's session is in PostgreSQL: it works on instance B as well
    const reader = new LtiHttpClient();
    await sim.launch(a.url, reader, { user: { sub: 'r', name: 'Rey Reader', roles: [ROLES.learner] }, clientId: lms.clientId, context: { id: 'live' } });
    const readerCookie = (await reader.cookies(a.url)).map((c) => `${c.key}=${c.value}`).join('; ');
    const stream = openEvents(`${b.url}${spacePath}/events`, readerCookie);

    // someone of another cohort cannot subscribe to this space
    const stranger = new LtiHttpClient();
    await sim.launch(a.url, stranger, { user: { sub: 's', roles: [ROLES.learner] }, clientId: lms.clientId, context: { id: 'elsewhere' } });
    const strangerCookie = (await stranger.cookies(a.url)).map((c) => `${c.key}=${c.value}`).join('; ');
    const refused = openEvents(`${b.url}${spacePath}/events`, strangerCookie);
    await until(() => stream.status() === 200 && refused.status() !== 0);
    expect(stream.status()).to.equal(200);
    expect(refused.status()).to.equal(401);

    const page = parse((await writer.request(`${a.url}${spacePath}`)).body);
    const created = await writer.request(`${a.url}${spacePath}/threads`, { method: 'POST', form: { title: 'Live!', body: 'Hello from A', _csrf: page.querySelector('input[name=_csrf]')!.getAttribute('value')! } });
    expect(created.status).to.equal(303);
    await until(() => stream.events.length > 0);
    stream.close();
    refused.close();
    expect(stream.events).to.have.length(1);
    const post = await a.db.selectFrom('posts').select(['id', 'threadId']).executeTakeFirstOrThrow();
    expect(stream.events[0]).to.deep.equal({ threadId: post.threadId, postId: post.id });

    // the fragment the browser then fetches goes through the same checks
    const fragment = await reader.request(`${b.url}${cohortPath}/posts/${post.id}/fragment`);
    expect(fragment.status).to.equal(200);
    expect(fragment.body).to.contain('Hello from A');
    expect((await stranger.request(`${b.url}${cohortPath}/posts/${post.id}/fragment`)).status).to.equal(401);
  });
});

// LTI platform storage (Canvas's lti_storage_target) standing in for the state cookie, and the one-use
// hand-over to a new window, at the HTTP level: a browser whose frame refuses our cookies is a client
// that starts the login with one cookie jar and posts the launch with an empty one.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import { deleteExpiredRecords } from '../../server/housekeeping.ts';

const ada = { sub: 'ada', name: 'Ada Lovelace', roles: [ROLES.learner] };
const TARGET = 'post_message_forwarding';

describe('LTI platform storage and the new-window hand-over', () => {
  let app: TestApp;
  let canvas: LtiPlatformSimulator;
  let lms: ConnectedPlatform;

  before(async () => {
    app = await startTestApp();
    canvas = await LtiPlatformSimulator.start({ kind: 'canvas' });
  });
  after(async () => {
    await canvas.close();
    await app.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    lms = await connectPlatform(app, canvas);
  });

  const inFrame = () => ({ initiator: canvas.baseUrl, frameTop: canvas.baseUrl });
  const loggedInSessions = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from http_sessions where sess::jsonb ? 'passport'`.execute(app.db)).rows[0]!.n);
  const errorCode = (body: string) => parse(body).querySelector('[data-test=error-page]')?.getAttribute('data-code');

  /** Login and authorization in one browser; the launch arrives where no cookie is kept. */
  async function launchWithoutCookies() {
    const started = await canvas.beginLaunch(app.url, new LtiHttpClient(), { user: ada, clientId: lms.clientId, context: { id: 'c-1' } });
    const frame = new LtiHttpClient();
    const first = await frame.request(started.redirectUri, { ...inFrame(), form: { id_token: started.idToken, state: started.state, lti_storage_target: TARGET } });
    return { started, frame, first };
  }
  /** What our platform storage page posts once the platform gave back the state and nonce. */
  function postStored(frame: LtiHttpClient, started: { redirectUri: string; idToken: string; state: string; nonce: string }, values: { state: string; nonce: string }, init: { initiator?: string; headers?: Record<string, string> } = {}) {
    return frame.request(started.redirectUri, { ...init, form: { id_token: started.idToken, state: started.state, lti_storage_target: TARGET, lti_storage_state: values.state, lti_storage_nonce: values.nonce } });
  }

  it('answers a login that names a storage target with a page that stores the state and nonce, then continues to the platform', async () => {
    const browser = new LtiHttpClient();
    const params = new URLSearchParams({ iss: canvas.issuer, login_hint: 'ada', target_link_uri: `${app.url}/lti/launch`, client_id: lms.clientId, lti_message_hint: 'x', lti_storage_target: TARGET });
    const res = await browser.request(`${app.url}/lti/login?${params}`, inFrame());
    expect(res.status).to.equal(200);
    const page = parse(res.body).querySelector('[data-test=login-step]')!;
    expect(page.getAttribute('data-target')).to.equal(TARGET);
    expect(page.getAttribute('data-origin')).to.equal(new URL(canvas.authEndpoint).origin);
    const next = new URL(parse(res.body).querySelector('a[data-next]')!.getAttribute('href')!);
    expect(next.origin + next.pathname).to.equal(canvas.authEndpoint);
    expect(next.searchParams.get('state')).to.equal(page.getAttribute('data-state'));
    expect(next.searchParams.get('nonce')).to.equal(page.getAttribute('data-nonce'));
    expect(parse(res.body).querySelector('script')!.getAttribute('src')).to.equal('/public/lti-launch.js');
    expect((await browser.cookies(app.url)).some((c) => c.key.startsWith('state'))).to.equal(true);
    // Should this frame keep no cookie and nothing be stored, the same login can start in a new window.
    const again = parse(res.body).querySelector('a[data-open-window]')!;
    expect(again.getAttribute('target')).to.equal('_blank');
    const restart = new URL(again.getAttribute('href')!, app.url);
    expect(restart.pathname).to.equal('/lti/login');
    expect(Object.fromEntries(restart.searchParams)).to.deep.equal({ iss: canvas.issuer, login_hint: 'ada', target_link_uri: `${app.url}/lti/launch`, client_id: lms.clientId, lti_message_hint: 'x' });
  });

  it('answers a framed login without storage with the same page, and any other login with a redirect', async () => {
    const params = new URLSearchParams({ iss: canvas.issuer, login_hint: 'ada', target_link_uri: `${app.url}/lti/launch`, client_id: lms.clientId, lti_message_hint: 'x' });
    const framed = await new LtiHttpClient().request(`${app.url}/lti/login?${params}`, { ...inFrame(), headers: { 'sec-fetch-dest': 'iframe' } });
    expect(framed.status).to.equal(200);
    expect(parse(framed.body).querySelector('[data-test=login-step]')!.getAttribute('data-target')).to.equal('');
    const topLevel = await new LtiHttpClient().request(`${app.url}/lti/login?${params}`, { initiator: canvas.baseUrl, headers: { 'sec-fetch-dest': 'document' } });
    expect(topLevel.status).to.equal(302);
  });

  it('asks the platform storage when the state cookie did not come back, keeping the id_token out of the URL', async () => {
    const { started, first } = await launchWithoutCookies();
    expect(first.status).to.equal(200);
    const page = parse(first.body);
    expect(page.querySelector('[data-test=platform-storage]')!.getAttribute('data-nonce')).to.equal(started.nonce);
    const form = page.querySelector('form[data-launch-form]')!;
    expect(form.getAttribute('method')).to.equal('post');
    expect(form.getAttribute('action')).to.equal('/lti/launch');
    expect(form.querySelector('input[name=id_token]')!.getAttribute('value')).to.equal(started.idToken);
    expect(await loggedInSessions()).to.equal(0);
  });

  it('refuses stored values posted from another site, and values that differ from the launch’s', async () => {
    const { started, frame } = await launchWithoutCookies();
    const crossSite = await postStored(frame, started, started, { initiator: canvas.baseUrl });
    expect(crossSite.status).to.equal(403);
    expect(errorCode(crossSite.body)).to.equal('launch-storage-origin');
    const fetchSaysCrossSite = await postStored(frame, started, started, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(fetchSaysCrossSite.status).to.equal(403);
    const wrong = await postStored(frame, started, { state: started.state, nonce: 'another' });
    expect(wrong.status).to.equal(401);
    expect(errorCode(wrong.body)).to.equal('launch-storage-mismatch');
    const empty = await postStored(frame, started, { state: '', nonce: '' });
    expect(empty.status).to.equal(401);
    expect(await loggedInSessions()).to.equal(0);
  });

  it('completes the launch once the platform gave back its state and nonce, offering a new window with a one-use hand-over', async () => {
    const { started, frame } = await launchWithoutCookies();
    const done = await postStored(frame, started, started);
    expect(done.status).to.equal(200);
    const enter = parse(done.body).querySelector('[data-test=launch-enter]')!;
    expect(enter.getAttribute('data-next')).to.match(/^\/cohorts\/[0-9a-f-]{36}$/);
    const handover = parse(done.body).querySelector('form[action="/lti/window"] input[name=handover]')!.getAttribute('value')!;
    expect(parse(done.body).querySelector('form[action="/lti/window"]')!.getAttribute('target')).to.equal('_blank');
    expect(done.body).to.not.include(started.idToken);

    // The login was used up: the same launch again is a replay, and starts no session.
    const sessions = await loggedInSessions();
    const replayed = await postStored(new LtiHttpClient(), started, started);
    expect(replayed.status).to.equal(401);
    expect(parse(replayed.body).querySelector('[data-test=error-message]')?.text).to.contain('already used');
    expect(await loggedInSessions()).to.equal(sessions);

    const window = new LtiHttpClient();
    expect((await window.request(`${app.url}/lti/window`, { form: { handover }, initiator: canvas.baseUrl })).status, 'from another site').to.equal(403);
    const forged = await window.request(`${app.url}/lti/window`, { form: { handover: `${handover.slice(0, 44)}${'A'.repeat(43)}` } });
    expect(forged.status).to.equal(400);
    const opened = await window.request(`${app.url}/lti/window`, { form: { handover } });
    expect(opened.status).to.equal(303);
    expect(opened.headers.get('location')).to.equal(enter.getAttribute('data-next'));
    const hub = await window.request(`${app.url}${opened.headers.get('location')}`);
    expect(hub.status).to.equal(200);
    expect(parse(hub.body).querySelector('[data-test=learner-name]')?.text).to.equal('Ada Lovelace');

    const again = await new LtiHttpClient().request(`${app.url}/lti/window`, { form: { handover } });
    expect(again.status).to.equal(410);
    expect(errorCode(again.body)).to.equal('handover-ended');
  });

  it('refuses an expired hand-over', async () => {
    const { started, frame } = await launchWithoutCookies();
    const done = await postStored(frame, started, started);
    const handover = parse(done.body).querySelector('input[name=handover]')!.getAttribute('value')!;
    await app.db.updateTable('launchHandovers').set({ expiresAt: new Date(Date.now() - 1000) }).execute();
    const res = await new LtiHttpClient().request(`${app.url}/lti/window`, { form: { handover } });
    expect(res.status).to.equal(410);
    await deleteExpiredRecords(app.db);
    expect(await app.db.selectFrom('launchHandovers').select('expiresAt').execute()).to.deep.equal([]);
  });

  it('keeps using the state cookie when it comes back, even where the platform offers storage', async () => {
    const res = await canvas.launch(app.url, new LtiHttpClient(), { user: ada, clientId: lms.clientId });
    expect(res.finalUrl).to.match(/\/cohorts\/[0-9a-f-]{36}$/);
    expect(res.status).to.equal(200);
  });
});

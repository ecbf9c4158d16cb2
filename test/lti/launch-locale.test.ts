// The language of a person's pages follows their launch: launch_presentation.locale (Moodle sends
// `en`, Canvas locale codes such as `en-GB`, `zh-Hant` or `en-GB-x-ukhe`), matched to a language we
// ship, else their deployment's default. A new course's cohort takes the launch's content language.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';

const alice = { sub: 'alice-1', name: 'Alice Learner', roles: [ROLES.learner] };
const bruno = { sub: 'bruno-1', name: 'Bruno Learner', roles: [ROLES.learner] };

describe('launch locale', () => {
  let app: TestApp;
  let moodle: LtiPlatformSimulator;
  let canvas: LtiPlatformSimulator;
  let moodleLms: ConnectedPlatform;
  let canvasLms: ConnectedPlatform;

  before(async () => {
    app = await startTestApp();
    moodle = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle A' });
    canvas = await LtiPlatformSimulator.start({ kind: 'canvas', name: 'Canvas A' });
  });
  after(async () => {
    await moodle.close();
    await canvas.close();
    await app.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    moodleLms = await connectPlatform(app, moodle);
    canvasLms = await connectPlatform(app, canvas);
  });

  const htmlLang = (body: string) => parse(body).querySelector('html')?.getAttribute('lang');
  const backLink = (body: string) => parse(body).querySelector('[data-test=back-to-course]')?.text.trim();
  const person = async (sub: string) => (await sql<{ launchLocale: string | null; locale: string | null }>`select launch_locale, locale from persons where sub = ${sub}`.execute(app.db)).rows[0]!;
  const cohortLanguage = async (contextId: string) => (await sql<{ language: string }>`select language from cohorts where context_id = ${contextId}`.execute(app.db)).rows[0]!.language;

  it('shows a Moodle launch in fr in French, records the locale on the person, and makes a new course’s cohort French', async () => {
    const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: moodleLms.clientId, context: { id: 'c-fr', title: 'Apprendre ensemble' }, locale: 'fr' });
    expect(res.status).to.equal(200);
    expect(htmlLang(res.body)).to.equal('fr');
    expect(backLink(res.body)).to.equal('Retour au cours');
    expect(await person('alice-1')).to.deep.equal({ launchLocale: "fr", locale: null });
    expect(await cohortLanguage('c-fr')).to.equal('fr');
  });

  it('gives a new course launched in fr or es the workshop in that language, and keeps an English course English', async () => {
    const titles = (body: string) => parse(body).querySelectorAll('[data-test=module] a').map((a) => a.text.trim());
    const fr = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: moodleLms.clientId, context: { id: 'c-fr', title: 'Cours' }, locale: 'fr-FR' });
    expect(titles(fr.body)[0]).to.equal('Apprendre au fil du travail');
    expect(titles(fr.body)[8]).to.equal('De l’apprentissage à l’action');
    const es = await moodle.launch(app.url, new LtiHttpClient(), { user: bruno, clientId: moodleLms.clientId, context: { id: 'c-es', title: 'Curso' }, locale: 'es' });
    expect(titles(es.body)[1]).to.equal('Trabajar en abierto');
    const en = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: moodleLms.clientId, context: { id: 'c-en', title: 'Course' }, locale: 'en' });
    expect(titles(en.body)[0]).to.equal('Learning in the flow of work');
    // Alice's own language is now English, but the French course's workshop stays French.
    const again = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: moodleLms.clientId, context: { id: 'c-fr', title: 'Cours' }, locale: 'en' });
    expect(htmlLang(again.body)).to.equal('en');
    expect(titles(again.body)[0]).to.equal('Apprendre au fil du travail');
  });

  it('matches Canvas locale codes to a shipped language (es-419 → es, en-GB-x-ukhe → en), and keeps the deployment’s default for one we do not ship', async () => {
    const es = await canvas.launch(app.url, new LtiHttpClient(), { user: alice, clientId: canvasLms.clientId, locale: 'es-419' });
    expect(htmlLang(es.body)).to.equal('es');
    expect(backLink(es.body)).to.equal('Volver al curso');
    const gb = await canvas.launch(app.url, new LtiHttpClient(), { user: bruno, clientId: canvasLms.clientId, locale: 'en-GB-x-ukhe' });
    expect(htmlLang(gb.body)).to.equal('en');
    await sql`update tenants set default_locale = 'fr'`.execute(app.db);
    const zh = await canvas.launch(app.url, new LtiHttpClient(), { user: { sub: 'chen-1', name: 'Chen', roles: [ROLES.learner] }, clientId: canvasLms.clientId, context: { id: 'c-zh', title: 'Course' }, locale: 'zh-Hant' });
    expect(htmlLang(zh.body)).to.equal('fr');
    expect((await person('chen-1')).launchLocale).to.equal(null);
    expect(await cohortLanguage('c-zh')).to.equal('fr');
  });

  it('keeps a cohort’s language when later launches come in another language, while each person sees their own', async () => {
    await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: moodleLms.clientId, context: { id: 'c-1', title: 'Course' }, locale: 'es' });
    const en = await moodle.launch(app.url, new LtiHttpClient(), { user: bruno, clientId: moodleLms.clientId, context: { id: 'c-1', title: 'Course' }, locale: 'en' });
    expect(await cohortLanguage('c-1')).to.equal('es');
    expect(htmlLang(en.body)).to.equal('en');
  });

  it('prefers the person’s own choice to the LMS’s locale', async () => {
    await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: moodleLms.clientId, locale: 'en' });
    await sql`update persons set locale = 'es' where sub = 'alice-1'`.execute(app.db);
    const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: moodleLms.clientId, locale: 'fr' });
    expect(htmlLang(res.body)).to.equal('es');
    expect((await person('alice-1')).launchLocale).to.equal('fr');
  });

  it('marks the RTL pseudo-locale’s pages right-to-left (outside production)', async () => {
    const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: moodleLms.clientId, locale: 'ar-XB' });
    const html = parse(res.body).querySelector('html');
    expect(html?.getAttribute('lang')).to.equal('ar-XB');
    expect(html?.getAttribute('dir')).to.equal('rtl');
  });
});

// A mocha suite's fixture for browser tests inside the LMS: the app, a simulated Moodle whose
// course page frames the tool, and Chromium, started once; the database emptied and the LMS
// connected before each test; every browser context closed after it. Call inside `describe`.
import type { Browser, BrowserContext, BrowserContextOptions, Frame, FrameLocator, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { LtiPlatformSimulator, type SimUser } from './lti-platform-simulator.ts';
import { connectPlatform, type ConnectedPlatform } from './lti-fixtures.ts';
import { startTestApp, type TestApp } from './test-app.ts';
import { resetDatabase } from './test-database.ts';

/** One person's own browser context, with the LMS course page open and the tool in its iframe. */
export interface PersonInLms {
  page: Page;
  tool: FrameLocator;
  frame: () => Frame;
}

/** This page's live-update stream is open (live.js marks its section), so no event posted after it is missed. */
export function streamOpened(p: PersonInLms): Promise<void> {
  return p.tool.locator('[data-live-events][data-live-open]').waitFor({ state: 'attached' });
}

export function lmsBrowserSuite(opts: { course: { id: string; title?: string }; appOptions?: Parameters<typeof startTestApp>[1] }) {
  const env = {} as { app: TestApp; sim: LtiPlatformSimulator; lms: ConnectedPlatform; browser: Browser };
  let contexts: BrowserContext[] = [];
  before(async () => {
    env.app = await startTestApp({}, opts.appOptions ?? {});
    env.sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle Sim' });
    env.browser = await launchChromium();
  });
  after(async () => {
    await env.browser?.close();
    await env.sim?.close();
    await env.app?.close();
  });
  beforeEach(async () => {
    await resetDatabase(env.app.handle);
    env.lms = await connectPlatform(env.app, env.sim);
  });
  afterEach(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    contexts = [];
  });

  /** Opens the LMS course page as `user` and waits for the tool's `[data-test=landing]`. */
  async function relaunch(p: PersonInLms, user: SimUser, landing: string, launch: { locale?: string } = {}): Promise<PersonInLms> {
    await p.page.goto(env.sim.coursePageUrl(env.app.url, { user, clientId: env.lms.clientId, context: opts.course, ...launch }));
    await p.tool.locator(`[data-test=${landing}]`).waitFor({ timeout: 20_000 });
    return p;
  }
  /** A new browser context (cookie jar and storage of its own) for `user`, launched into the iframe. */
  /** `launch.locale`: the LMS's launch_presentation.locale (default: Moodle's 'en'). */
  async function launchInBrowser(user: SimUser, landing: string, launch: { locale?: string } = {}): Promise<PersonInLms> {
    const context = await env.browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    return relaunch({ page, tool: page.frameLocator('#tool'), frame: () => page.frames().find((f) => f.url().startsWith(env.app.url))! }, user, landing, launch);
  }
  /** A new context (e.g. a phone without JavaScript) holding `from`'s cookies, so its session, for the page at `url`. */
  async function sameSessionIn(from: PersonInLms, options: BrowserContextOptions, url: string): Promise<Page> {
    const context = await env.browser.newContext(options);
    contexts.push(context);
    await context.addCookies(await from.page.context().cookies());
    const page = await context.newPage();
    await page.goto(url);
    return page;
  }
  return { env, launchInBrowser, relaunch, sameSessionIn };
}

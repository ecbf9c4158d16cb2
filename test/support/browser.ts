// Debian's Chromium driven by playwright-core (never a downloaded browser), and axe-core checks.
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import https from 'node:https';
import selfsigned from 'selfsigned';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium whose every browser context reports CSP violations (see watchCspViolations). */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // This machine has no network beyond loopback: keep Chromium from trying.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await watchCspViolations(context);
    return context;
  };
  return browser;
}

// No page may depend on something our CSP blocks (a blocked inline style looks like a working page
// in a test that only reads text). Every context made by launchChromium reports each
// `securitypolicyviolation` of every page and frame in it, pages opened later included, and the
// root hook below fails the test that caused it, naming the page and the directive.
export interface CspViolation {
  page: string;
  directive: string;
  blocked: string;
  source: string;
}

let cspViolations: CspViolation[] = [];
const openContexts = new Set<BrowserContext>();

async function watchCspViolations(context: BrowserContext): Promise<void> {
  openContexts.add(context);
  context.on('close', () => openContexts.delete(context));
  await context.exposeBinding('__cspViolation', (_source, v: CspViolation) => {
    cspViolations.push(v);
  });
  await context.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (e) => {
        const report = (globalThis as unknown as { __cspViolation: (v: unknown) => void }).__cspViolation;
        report({ page: e.documentURI, directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI || '(inline)', source: e.sourceFile ? `${e.sourceFile}:${e.lineNumber}` : e.sample });
      },
      true,
    );
  });
  // Tests close their contexts inside the test: deliver what is still queued in the pages first.
  const close = context.close.bind(context);
  context.close = async (options) => {
    await flushCspReports(context);
    openContexts.delete(context);
    return close(options);
  };
}

/** Lets every frame run its queued tasks, where the violation events wait, and deliver them. */
async function flushCspReports(context: BrowserContext): Promise<void> {
  const frames = context.pages().flatMap((p) => p.frames());
  await Promise.all(frames.map((f) => f.evaluate(() => new Promise((r) => setTimeout(r, 0))).catch(() => undefined)));
}

/** The CSP violations reported since the last call, which forgets them. */
export async function takeCspViolations(): Promise<CspViolation[]> {
  await Promise.all([...openContexts].map(flushCspReports));
  const taken = cspViolations;
  cspViolations = [];
  return taken;
}

export function describeCspViolations(violations: CspViolation[]): string {
  const lines = violations.map((v) => `${v.page} violates ${v.directive} (${v.blocked}${v.source ? `, ${v.source}` : ''})`);
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].map(([l, n]) => (n > 1 ? `${l} ×${n}` : l)).join('\n');
}

/**
 * A mocha root hook (test/support/hooks.ts): each test, once its own body has passed, also fails
 * when a page it opened reported a CSP violation, so the failure names that test.
 */
export function failOnCspViolations(this: Mocha.Context): void {
  const test = this.currentTest;
  if (!test?.fn || test.async) return;
  const body = test.fn;
  cspViolations = [];
  test.fn = async function (this: Mocha.Context) {
    await (body as Mocha.AsyncFunc).call(this);
    const violations = await takeCspViolations();
    if (violations.length) throw new Error(`Content Security Policy violations:\n${describeCspViolations(violations)}`);
  };
}

/** An https server with a certificate made for this test run (localhost and 127.0.0.1). */
export async function selfSignedHttpsServer(): Promise<https.Server> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    days: 1,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  } as never);
  return https.createServer({ key: pems.private, cert: pems.cert });
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** axe-core's serious and critical violations on the page or frame; `targetSize` adds the rule axe leaves off by default (WCAG 2.2 target size, 24 px). */
export async function seriousAxeViolations(target: Page | Frame, opts: { targetSize?: boolean } = {}): Promise<AxeViolation[]> {
  await target.evaluate(axeSource);
  const results = await target.evaluate(async (targetSize) => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: unknown[] }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'], ...(targetSize ? { rules: { 'target-size': { enabled: true } } } : {}) });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  }, opts.targetSize ?? false);
  return results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A phone in Chromium: 390 × 844 CSS pixels, touch (the issue 16 checks). */
/** The document has run its deferred scripts (drafts.js, composer.js, live.js…): they run before DOMContentLoaded. */
export function scriptsRan(target: Page | Frame): Promise<void> {
  return target.waitForLoadState('domcontentloaded');
}

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** Whether the page fits the phone's width: nothing makes it scroll sideways. */
export async function fitsWidth(target: Page | Frame): Promise<boolean> {
  return target.evaluate(() => document.documentElement.scrollWidth <= Math.min(window.innerWidth, document.documentElement.clientWidth));
}

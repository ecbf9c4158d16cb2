// npm run screenshots: the README's pictures, taken from the demo cohort so they stay true. Starts the
// app as `npm start` does (`node server/main.ts`; an embedded PostgreSQL in a temporary folder unless
// DATABASE_URL is set), makes the demo cohort from the home page, opens it as a learner and as the
// facilitator through the demo platform's launches, and saves 1366×900 PNGs into docs/screenshots/.
// Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through playwright-core: no browser is downloaded.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'docs/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1366, height: 900 };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`screenshots: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** "Open as …" on the demo page: the demo LMS's course page, then the tool's landing page in its frame. */
async function openAs(page: Page, base: string, sub: string): Promise<string> {
  await page.goto(`${base}/demo/open?as=${sub}`);
  const frame = await until('the launch to land', async () => page.frames().find((f) => /\/cohorts\/[0-9a-f-]{36}(\/console)?$/.test(new URL(f.url()).pathname)), 60_000);
  await frame.waitForLoadState('load');
  return new URL(frame.url()).pathname.split('/')[2]!;
}

async function shoot(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.waitForLoadState('load');
  await page.screenshot({ path: path.join(outDir, `${name}.png`) });
  console.log(`  docs/screenshots/${name}.png  ${new URL(page.url()).pathname}`);
}

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  fs.mkdirSync(outDir, { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = process.env.DATABASE_URL ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'circlework-screenshots-'));
  const env: Record<string, string | undefined> = {
    ...process.env, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: base, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...(dataDir ? { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) } : {}),
  };
  const app = spawn(process.execPath, [path.join(root, 'server/main.ts')], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((r) => app.on('close', () => r()));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'] });
  try {
    await until('the app to start', async () => (await fetch(`${base}/healthz`)).ok || undefined, 180_000);
    const learner = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    await learner.goto(base);
    await learner.getByRole('link', { name: 'Try a demo cohort' }).click();
    await learner.locator('[data-test=demo-person]').first().waitFor({ timeout: 240_000 });
    await learner.screenshot({ path: path.join(outDir, 'demo-people.png') });
    console.log('  docs/screenshots/demo-people.png  /demo');

    // Priya Nair finished all nine modules and has an action plan.
    const cohortId = await openAs(learner, base, 'demo-01');
    await learner.screenshot({ path: path.join(outDir, 'demo-launch.png') });
    console.log('  docs/screenshots/demo-launch.png  /demo/open (the tool in the demo LMS frame)');
    const cohort = `${base}/cohorts/${cohortId}`;
    await shoot(learner, cohort, 'learner-hub');
    await shoot(learner, `${cohort}/modules/3`, 'module');
    await shoot(learner, `${cohort}/modules/3/space`, 'group-space');
    const thread = await learner.locator('a[href*="/threads/"]').first().getAttribute('href');
    if (thread) await shoot(learner, new URL(thread, base).href, 'thread');
    // A plan as its readers see it: the first on the cohort's plans board.
    await learner.goto(`${cohort}/action-plans`);
    const plan = await learner.locator('a[href*="/action-plans/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? '').find((h) => /\/action-plans\/[0-9a-f-]{36}$/.test(h)));
    await shoot(learner, new URL(plan ?? `${cohort}/action-plan`, base).href, 'action-plan');

    const facilitator = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    await openAs(facilitator, base, 'demo-facilitator');
    await shoot(facilitator, `${cohort}/console`, 'facilitator-dashboard');
    await shoot(facilitator, `${cohort}/console/social`, 'network');
    // The demo facilitator is the demo organisation's programme lead: its three cohorts side by side.
    await shoot(facilitator, `${base}/programme`, 'programme');
    // The scores Circlework sent back through AGS to the demo platform (the grade job delivers them).
    const grades = await until('scores in the demo gradebook', async () => {
      await facilitator.goto(`${base}/demo/gradebook`);
      return (await facilitator.locator('[data-test=grade-row]').count()) || undefined;
    }, 60_000).catch(() => 0);
    console.log(`  the demo platform's gradebook: ${grades} scores from Circlework (AGS) so far`);
  } finally {
    await browser.close();
    app.kill('SIGTERM');
    await exited;
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

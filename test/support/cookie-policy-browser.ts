// Chromium with the cookie settings a person can choose (Settings → Privacy → Third-party cookies),
// written into a fresh profile's Preferences before launch: playwright-core has no context option for
// them. `blockAllCookiesIn` also blocks every cookie of one site while it is embedded in another
// (a content-settings exception with a secondary pattern): the tool frame keeps nothing, yet the same
// tool opened top-level keeps its cookies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface CookiePolicy {
  /** The tool's origin and the embedding LMS page's origin. */
  blockAllCookiesIn?: { embedded: string; top: string };
}

/** A browser context of its own Chromium, with third-party cookies blocked (Partitioned ones still allowed). */
export async function chromiumBlockingThirdPartyCookies(policy: CookiePolicy = {}): Promise<BrowserContext> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'circlework-chromium-'));
  const exceptions = policy.blockAllCookiesIn ? { [`${policy.blockAllCookiesIn.embedded},${policy.blockAllCookiesIn.top}`]: { setting: 2 } } : {};
  fs.mkdirSync(path.join(dir, 'Default'));
  fs.writeFileSync(
    path.join(dir, 'Default', 'Preferences'),
    // cookie_controls_mode 1 = "Block third-party cookies" (the setting block_third_party_cookies mirrors).
    JSON.stringify({ profile: { cookie_controls_mode: 1, block_third_party_cookies: true, content_settings: { exceptions: { cookies: exceptions } } } }),
  );
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreHTTPSErrors: true,
    // One renderer process for the LMS page and the tool frame: the frame changes site at every launch
    // hop, and under load playwright sometimes lost the swapped-in frame (cookie partitioning does not
    // depend on the process model).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--disable-site-isolation-trials', '--disable-features=IsolateOrigins,site-per-process'],
  });
  // Chromium may still be writing to the profile as the context closes: retry, and never throw here.
  context.on('close', () => fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 5 }).catch(() => undefined));
  return context;
}

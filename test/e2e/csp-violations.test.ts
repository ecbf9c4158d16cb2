// The browser fixture's CSP watch: every context launchChromium makes reports violations of every
// page and frame in it, pages opened later included, naming the page and the directive.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium, takeCspViolations } from '../support/browser.ts';

const pages: Record<string, string> = {
  '/clean': '<!doctype html><title>clean</title><p>Nothing inline.</p>',
  '/top': '<!doctype html><title>top</title><iframe src="/framed"></iframe><a href="/later" target="_blank">later</a>',
  '/framed': '<!doctype html><title>framed</title><p style="color: red">inline style</p>',
  '/later': '<!doctype html><title>later</title><script>document.title = "ran";</script>',
};

describe('CSP violations in browser tests', function () {
  this.timeout(30_000);
  let browser: Browser;
  let server: http.Server;
  let base: string;
  before(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(pages[req.url ?? ''] ? 200 : 404, { 'content-type': 'text/html', 'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'" });
      res.end(pages[req.url ?? ''] ?? '');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('reports nothing for a page that keeps to the policy', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/clean`);
    await context.close();
    expect(await takeCspViolations()).to.deep.equal([]);
  });

  it('names the page and the directive of a violation in an iframe and in a page opened later', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/top`);
    await page.frameLocator('iframe').locator('p').waitFor();
    const [later] = await Promise.all([context.waitForEvent('page'), page.click('a')]);
    await later!.waitForLoadState();
    await context.close();
    const found = (await takeCspViolations()).map((v) => [v.page, v.directive]);
    expect(found).to.deep.include.members([
      [`${base}/framed`, 'style-src-attr'],
      [`${base}/later`, 'script-src-elem'],
    ]);
  });
});

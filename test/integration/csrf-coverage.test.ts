// CSRF on every state-changing route, read from the app itself: a route added later is covered
// without touching this file, and a route exempted by mistake (or mounted before the check) fails it.
import { expect } from 'chai';
import type { Express } from 'express';
import { startTestApp, type TestApp } from '../support/test-app.ts';

interface RouteLayer { rawPath?: string; handle?: { stack?: RouteLayer[] }; route?: { path: string; methods: Record<string, boolean> } }

/** Every route of the app as METHOD and full path, through mounted routers (Express 5 keeps each mount's raw path). */
function routesOf(app: Express): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const walk = (stack: RouteLayer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on) out.push({ method: method.toUpperCase(), path: prefix + layer.route.path });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''));
      }
    }
  };
  walk((app as unknown as { router: { stack: RouteLayer[] } }).router.stack, '');
  return out;
}

/** Routes that change state without our CSRF token, each with the credential it carries instead. */
const EXEMPT = new Map<string, string>([
  ['POST /email/preferences/:token/unsubscribe/:topic', 'RFC 8058 one-click unsubscribe: the signed token in the address'],
  ['POST /lti/window', 'the new-window hand-over after a cookie-less launch: a one-use, two-minute signed hand-over, and a same-origin check'],
  // The built-in demo LMS (outside production only, unless DEMO=true) is another party, as Moodle is.
  ['POST /demo/platform/auth', 'the demo platform’s OIDC authorization endpoint: answers only a login hint it signed, for the user it names'],
  ['POST /demo/platform/token', 'the demo platform’s token endpoint: a client assertion signed by the tool’s key'],
  ['POST /demo/platform/ags/:contextId/lineitems/:linkId/scores', 'the demo platform’s AGS: a bearer token the demo platform signed'],
]);

describe('CSRF coverage of every state-changing route', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('finds the app’s routes (the walk through mounted routers works)', () => {
    const routes = routesOf(app.app).map((r) => `${r.method} ${r.path}`);
    expect(routes).to.include('POST /cohorts/:cohortId/posts/:postId/kudos');
    expect(routes).to.include('POST /cohorts/:cohortId/console/moderation/posts/:postId/hide');
    expect(routes.filter((r) => !r.startsWith('GET ') && !r.startsWith('HEAD ')).length).to.be.above(40);
  });

  it('refuses every POST, PUT, PATCH and DELETE without a CSRF token (403 csrf), except the listed exemptions', async () => {
    const unsafe = routesOf(app.app).filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method));
    const seen = new Set<string>();
    for (const { method, path } of unsafe) {
      const key = `${method} ${path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (EXEMPT.has(key)) continue;
      // Parameters get well-formed values, so a route's own checks would pass their shape.
      const url = path.replace(/:(\w+)/g, (_m, name: string) => (/seq|moduleId|version/i.test(name) ? '1' : name === 'topic' ? 'digest' : name === 'token' ? 'x'.repeat(40) : '00000000-0000-4000-8000-000000000000'));
      const res = await fetch(`${app.url}${url}`, { method, headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      expect({ route: key, status: res.status, error: body.error }).to.deep.equal({ route: key, status: 403, error: 'csrf' });
    }
    expect(seen.size).to.be.above(40);
  });
});

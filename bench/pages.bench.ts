// The hub and a module page for a signed-in learner, at 50 connections, beside a bare Express +
// Handlebars page measured in the same run. The load comes from autocannon in a second process.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { engine } from 'express-handlebars';
import { LtiHttpClient, LtiPlatformSimulator } from '../test/support/lti-platform-simulator.ts';
import { connectPlatform } from '../test/support/lti-fixtures.ts';
import { loadWorkshop } from '../server/modules/workshop-files.ts';
import { load, printLoad as print, startBenchApp } from './bench-support.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
async function startBarePage(): Promise<{ url: string; close(): Promise<void> }> {
  const workshop = loadWorkshop();
  const app = express();
  app.engine('hbs', engine({ extname: '.hbs', defaultLayout: false }));
  app.set('view engine', 'hbs');
  app.set('views', path.join(here, 'bare'));
  app.enable('view cache');
  app.get('/', (_req, res) => res.render('page', { title: 'Bare page', modules: workshop.modules.map((m) => ({ title: m.title, summary: m.summary, href: `/m/${m.id}` })) }));
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

export async function benchPages(databaseUrl: string, seconds = 10): Promise<void> {
  const app = await startBenchApp(databaseUrl);
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Bench Moodle' });
  const bare = await startBarePage();
  try {
    const { clientId } = await connectPlatform(app, sim);
    const browser = new LtiHttpClient();
    const res = await sim.launch(app.url, browser, { user: { sub: 'bench-learner', name: 'Bench Learner', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] }, clientId });
    const hub = res.finalUrl;
    const cookie = await browser.cookieHeader(app.url);
    print('bare Express + Handlebars page, 50 conns', await load(bare.url, {}, seconds));
    print('cohort hub (signed in), 50 conns', await load(hub, { cookie }, seconds));
    print('module 1 page (signed in), 50 conns', await load(`${hub}/modules/1`, { cookie }, seconds));
  } finally {
    await bare.close();
    await sim.close();
    await app.close();
  }
}

// The hub and a module page for a signed-in learner, at 50 connections, beside a bare Express +
// Handlebars page measured in the same run. The load comes from autocannon in a second process.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import express from 'express';
import { engine } from 'express-handlebars';
import { LtiHttpClient, LtiPlatformSimulator } from '../test/support/lti-platform-simulator.ts';
import { registerPlatform } from '../lti/platforms.service.ts';
import { loadWorkshop } from '../server/modules/workshop-content.ts';
import { startBenchApp } from './bench-support.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

function load(url: string, headers: Record<string, string>, seconds: number): Promise<Load> {
  const args = [autocannon, '-c', '50', '-d', String(seconds), '-j', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), url];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      const r = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number };
      resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx });
    });
  });
}

function print(name: string, l: Load): void {
  console.log(`${name.padEnd(44)} ${l.rps.toFixed(0).padStart(8)} req/s  p50 ${String(l.p50).padStart(5)} ms  p99 ${String(l.p99).padStart(5)} ms  non-2xx ${l.non2xx}`);
}

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
    const { clientId, deploymentId } = sim.addTool({ toolUrl: app.url });
    await registerPlatform(
      { db: app.db, ltiEncryptionKey: app.config.ltiEncryptionKey! },
      { issuer: sim.issuer, clientId, name: 'Bench Moodle', product: 'moodle', authEndpoint: sim.authEndpoint, tokenEndpoint: sim.tokenEndpoint, jwksUri: sim.jwksUri, deploymentIds: [deploymentId] },
      { status: 'active', registeredVia: 'manual' },
    );
    const browser = new LtiHttpClient();
    const res = await sim.launch(app.url, browser, { user: { sub: 'bench-learner', name: 'Bench Learner', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] }, clientId });
    const hub = res.finalUrl;
    const cookie = (await browser.cookies(app.url)).map((c) => `${c.key}=${c.value}`).join('; ');
    print('bare Express + Handlebars page, 50 conns', await load(bare.url, {}, seconds));
    print('cohort hub (signed in), 50 conns', await load(hub, { cookie }, seconds));
    print('module 1 page (signed in), 50 conns', await load(`${hub}/modules/1`, { cookie }, seconds));
  } finally {
    await bare.close();
    await sim.close();
    await app.close();
  }
}

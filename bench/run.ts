// npm run bench — prints figures; asserts nothing. Run on an otherwise idle machine.
import os from 'node:os';
import { benchDatabaseUrl, stopBenchDatabase } from './bench-support.ts';
import { benchLaunch } from './launch.bench.ts';
import { benchPages } from './pages.bench.ts';
import { benchSpaces } from './spaces.bench.ts';
import { benchDashboard } from './dashboard.bench.ts';
import { benchSoak } from './soak.bench.ts';

// `npm run bench` runs every benchmark; `npm run bench -- soak launch` runs the ones named.
const only = new Set(process.argv.slice(2));
const wanted = (name: string) => only.size === 0 || only.has(name);

console.log(`Circlework benchmarks — node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
const databaseUrl = await benchDatabaseUrl();
try {
  if (wanted('launch')) await benchLaunch(databaseUrl);
  if (wanted('pages')) await benchPages(databaseUrl);
  if (wanted('spaces')) await benchSpaces(databaseUrl);
  if (wanted('dashboard')) await benchDashboard(databaseUrl);
  if (wanted('soak')) {
    const learners = Number(process.env.BENCH_SOAK_LEARNERS ?? 500);
    await benchSoak(databaseUrl, { learners });
    // Twice as many: past capacity it must shed load (503) rather than fail or lose a reply.
    await benchSoak(databaseUrl, { learners: 2 * learners, label: `overload: soak ${2 * learners} learners` });
  }
} finally {
  await stopBenchDatabase();
}

// npm run bench — prints figures; asserts nothing. Run on an otherwise idle machine.
import os from 'node:os';
import { benchDatabaseUrl, stopBenchDatabase } from './bench-support.ts';
import { benchLaunch } from './launch.bench.ts';
import { benchPages } from './pages.bench.ts';
import { benchSpaces } from './spaces.bench.ts';
import { benchDashboard } from './dashboard.bench.ts';

console.log(`Circlework benchmarks — node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
const databaseUrl = await benchDatabaseUrl();
try {
  await benchLaunch(databaseUrl);
  await benchPages(databaseUrl);
  await benchSpaces(databaseUrl);
  await benchDashboard(databaseUrl);
} finally {
  await stopBenchDatabase();
}

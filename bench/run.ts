// npm run bench — prints figures; asserts nothing. Run on an otherwise idle machine.
// BENCH_ONLY=scale,pages runs some of them (launch, pages, spaces, dashboard, scale);
// BENCH_POSTS (default 1,000,000), BENCH_SECONDS and BENCH_CONNECTIONS tune the scale bench.
import os from 'node:os';
import { benchDatabaseUrl, stopBenchDatabase } from './bench-support.ts';
import { benchLaunch } from './launch.bench.ts';
import { benchPages } from './pages.bench.ts';
import { benchSpaces } from './spaces.bench.ts';
import { benchDashboard } from './dashboard.bench.ts';
import { benchScale } from './scale.bench.ts';

const benches: Record<string, (databaseUrl: string) => Promise<void>> = {
  launch: benchLaunch,
  pages: benchPages,
  spaces: benchSpaces,
  dashboard: benchDashboard,
  scale: benchScale,
};
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());

console.log(`Circlework benchmarks — node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
const databaseUrl = await benchDatabaseUrl();
try {
  for (const [name, bench] of Object.entries(benches)) {
    if (!only || only.includes(name)) await bench(databaseUrl);
  }
} finally {
  await stopBenchDatabase();
}

// npm run bench — prints figures; asserts nothing. Run on an otherwise idle machine.
// `npm run bench -- scale pages` runs some of them (launch, pages, spaces, dashboard, scale, soak, media, moodle);
// BENCH_POSTS (default 1,000,000), BENCH_SECONDS and BENCH_CONNECTIONS tune the scale bench,
// BENCH_SOAK_LEARNERS (500) and BENCH_SOAK_SECONDS (300) the soak.
import os from 'node:os';
import { benchDatabaseUrl, stopBenchDatabase } from './bench-support.ts';
import { benchLaunch } from './launch.bench.ts';
import { benchPages } from './pages.bench.ts';
import { benchSpaces } from './spaces.bench.ts';
import { benchDashboard } from './dashboard.bench.ts';
import { benchSoak } from './soak.bench.ts';
import { benchScale } from './scale.bench.ts';
import { benchFloor } from './floor.bench.ts';
import { benchProgramme } from './programme.bench.ts';
import { benchMedia } from './media.bench.ts';
import { benchMoodle } from './moodle.bench.ts';

const benches: Record<string, (databaseUrl: string) => Promise<void>> = {
  launch: benchLaunch,
  pages: benchPages,
  spaces: benchSpaces,
  dashboard: benchDashboard,
  scale: benchScale,
  floor: benchFloor,
  programme: benchProgramme,
  media: benchMedia,
  // Only with a real Moodle beside it (bench/moodle.bench.ts); skipped otherwise.
  moodle: benchMoodle,
  soak: async (databaseUrl) => {
    const learners = Number(process.env.BENCH_SOAK_LEARNERS ?? 500);
    await benchSoak(databaseUrl, { learners });
    // Twice as many: past capacity it must shed load (503) rather than fail or lose a reply.
    // It is about shedding, not endurance: a minute of it (or the soak's own length, if shorter).
    const seconds = Math.min(60, Number(process.env.BENCH_SOAK_SECONDS ?? 300));
    await benchSoak(databaseUrl, { learners: 2 * learners, seconds, label: `overload: soak ${2 * learners} learners` });
  },
};
// `npm run bench` runs every benchmark; `npm run bench -- soak scale` runs the ones named.
const only = process.argv.slice(2);

console.log(`Circlework benchmarks — node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
const databaseUrl = await benchDatabaseUrl();
try {
  for (const [name, bench] of Object.entries(benches)) {
    if (only.length === 0 || only.includes(name)) await bench(databaseUrl);
  }
} finally {
  await stopBenchDatabase();
}

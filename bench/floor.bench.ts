// The signed-in floor: what every signed-in page pays before its own work (session, launch check,
// CSP, CSRF token, layout), measured beside the scale bench's reference in the same run. The floor
// page is a learner's notifications with none to show: one indexed query of its own. The home page
// (no session, no query) shows what our stack costs before the session. BENCH_SECONDS and BENCH_ROUNDS tune it.
import { load, type Load } from './bench-support.ts';
import { startThreadBench } from './scale.bench.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

export async function benchFloor(databaseUrl: string, seconds = Number(process.env.BENCH_SECONDS ?? 5)): Promise<void> {
  const { app, reader, reference, cookie, close } = await startThreadBench(databaseUrl, 'floor');
  try {
    const pages: { name: string; url: string; headers: Record<string, string> }[] = [
      { name: 'home page (no session)', url: `${app.url}/`, headers: {} },
      { name: 'signed-in floor (notifications, none)', url: `${reader.base}/notifications`, headers: { cookie } },
      { name: 'cohort hub', url: reader.base, headers: { cookie } },
    ];
    for (const p of pages) {
      const r = await fetch(p.url, { headers: p.headers, redirect: 'manual' });
      if (r.status !== 200) throw new Error(`${p.name}: ${r.status}`);
    }
    const row = (name: string, l: Load & { cpuUs: number }, ratio: string) =>
      console.log(
        `${name.padEnd(40)} ${ratio.padStart(6)}  ${l.rps.toFixed(0).padStart(6)} req/s  p50 ${String(l.p50).padStart(5)} ms  p99 ${String(l.p99).padStart(5)} ms  ${l.cpuUs.toFixed(0).padStart(5)} µs CPU/req  non-2xx ${l.non2xx}  errors ${l.errors}`,
      );
    // The app and the reference run in this process (autocannon in another): CPU time per request is
    // steadier than req/s on a shared machine, as it leaves out what other processes take.
    const measured = async (url: string, headers: Record<string, string>) => {
      const before = process.cpuUsage();
      const l = await load(url, headers, seconds, CONNECTIONS);
      const { user, system } = process.cpuUsage(before);
      return { ...l, cpuUs: (user + system) / Math.max(1, l.requests) };
    };
    console.log(`\nThe signed-in floor beside the reference, ${CONNECTIONS} connections, ${seconds} s each (ratio = page req/s ÷ reference req/s; CPU = this process's CPU time per request)`);
    const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
    for (let i = 0; i < rounds; i++) {
      // BENCH_PAGE=floor loads only the pages whose name has that word, without the reference (which
      // runs in this process): to profile one page with node --cpu-prof.
      const only = process.env.BENCH_PAGE;
      const ref = only && only !== 'reference' ? undefined : await measured(reference.url, {});
      if (ref) row('reference (50 posts, 1 query)', ref, '1.00');
      for (const p of pages.filter((x) => x.name.includes(only ?? ''))) {
        const l = await measured(p.url, p.headers);
        row(p.name, l, ref ? (l.rps / ref.rps).toFixed(2) : '');
      }
    }
  } finally {
    await close();
  }
}

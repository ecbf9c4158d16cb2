// What the soak's three parties use of the machine: CPU seconds of the app process, of this process
// (the load generator) and of the PostgreSQL server (the postmaster, its live backends, and those
// that exited: a process's cutime/cstime count its reaped children), and the app's RSS, from /proc.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Linux reports /proc times in clock ticks, 100 a second on every kernel we run on (USER_HZ).
const TICKS_PER_SECOND = 100;

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces): [0] is state. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // exited meanwhile
  }
}

/** CPU seconds of one process (user + system), with its reaped children's when `children`. */
export function cpuSecondsOf(pid: number, children = false): number {
  const f = statFields(pid);
  if (!f) return 0;
  // utime, stime, cutime, cstime are fields 14–17 of stat, 11–14 here.
  const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds of this process (the load generator). */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** CPU seconds of a PostgreSQL server: its postmaster (from `data_directory`'s postmaster.pid), every live child, every reaped one. */
export function postgresCpuSeconds(dataDirectory: string): number {
  const postmaster = Number(readFileSync(path.join(dataDirectory, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let seconds = cpuSecondsOf(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && Number(f[1]) === postmaster) seconds += cpuSecondsOf(Number(entry));
  }
  return seconds;
}

export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

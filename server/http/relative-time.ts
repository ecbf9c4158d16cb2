// Times as people read them: "3 hours ago", with the exact UTC time a hover (title) away. Computed on
// the server, so it needs no script; the formatters are built once for the process.
const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const EXACT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The largest unit that fits, rounded down ("2 days ago" from 2 days and 23 hours). */
export function relativeTime(d: Date, now: Date): string {
  const ms = now.getTime() - d.getTime();
  // A clock a little ahead (another process, the database) must not say "in 2 seconds".
  if (ms < 45_000) return 'just now';
  if (ms < HOUR) return RELATIVE.format(-Math.floor(ms / MINUTE), 'minute');
  if (ms < DAY) return RELATIVE.format(-Math.floor(ms / HOUR), 'hour');
  if (ms < 7 * DAY) return RELATIVE.format(-Math.floor(ms / DAY), 'day');
  if (ms < 30 * DAY) return RELATIVE.format(-Math.floor(ms / (7 * DAY)), 'week');
  if (ms < 365 * DAY) return RELATIVE.format(-Math.floor(ms / (30 * DAY)), 'month');
  return RELATIVE.format(-Math.floor(ms / (365 * DAY)), 'year');
}

export interface TimeView {
  /** For <time datetime>. */
  iso: string;
  /** The exact time, for its title: "4 Dec 2026, 08:46 UTC". */
  exact: string;
  relative: string;
}

// The exact time is shown to the minute, and Intl's format is slow (a thread page formats every
// post's time: ~5 % of its CPU): each minute is formatted once, the last few thousand kept.
const exactByMinute = new Map<number, string>();
function exactTime(d: Date): string {
  const minute = Math.floor(d.getTime() / MINUTE);
  let text = exactByMinute.get(minute);
  if (text === undefined) {
    if (exactByMinute.size >= 5000) exactByMinute.clear();
    exactByMinute.set(minute, (text = `${EXACT.format(d)} UTC`));
  }
  return text;
}

/** What the relative-time partial shows for `d`. */
export function timeView(d: Date, now: Date = new Date()): TimeView {
  return { iso: d.toISOString(), exact: exactTime(d), relative: relativeTime(d, now) };
}

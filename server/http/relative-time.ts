// Times as people read them: "3 hours ago", with the exact UTC time a hover (title) away, in the
// reader's language (locales/*/time.json). Computed on the server, so it needs no script.
import type { I18n } from '../i18n/i18n.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The largest unit that fits, rounded down ("2 days ago" from 2 days and 23 hours). */
export function relativeTime(d: Date, now: Date, i18n: I18n): string {
  const ms = now.getTime() - d.getTime();
  // The few phrases there are ("3 hours ago") are formatted once per language and kept by i18n.t.
  const phrase = (key: string, count: number) => i18n.t(key, { count });
  // A clock a little ahead (another process, the database) must not say "in 2 seconds".
  if (ms < 45_000) return phrase('time.justNow', 0);
  if (ms < HOUR) return phrase('time.minutesAgo', Math.floor(ms / MINUTE));
  if (ms < DAY) return phrase('time.hoursAgo', Math.floor(ms / HOUR));
  if (ms < 7 * DAY) return phrase('time.daysAgo', Math.floor(ms / DAY));
  if (ms < 30 * DAY) return phrase('time.weeksAgo', Math.floor(ms / (7 * DAY)));
  if (ms < 365 * DAY) return phrase('time.monthsAgo', Math.floor(ms / (30 * DAY)));
  return phrase('time.yearsAgo', Math.floor(ms / (365 * DAY)));
}

export interface TimeView {
  /** For <time datetime>. */
  iso: string;
  /** The exact time, for its title: "4 Dec 2026, 08:46 UTC". */
  exact: string;
  relative: string;
}

// The exact time is shown to the minute, and formatting a date is slow (a thread page formats every
// post's time: ~5 % of its CPU): each minute is formatted once per language, the last few thousand kept.
const exactByMinute = new Map<string, string>();
function exactTime(d: Date, i18n: I18n): string {
  const key = `${i18n.locale} ${Math.floor(d.getTime() / MINUTE)}`;
  let text = exactByMinute.get(key);
  if (text === undefined) {
    if (exactByMinute.size >= 5000) exactByMinute.clear();
    exactByMinute.set(key, (text = i18n.t('time.exact', { when: d })));
  }
  return text;
}

/** What the relative-time partial shows for `d`, to a reader of `i18n`'s language. */
export function timeView(d: Date, now: Date, i18n: I18n): TimeView {
  return { iso: d.toISOString(), exact: exactTime(d, i18n), relative: relativeTime(d, now, i18n) };
}

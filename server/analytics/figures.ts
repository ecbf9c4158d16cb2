// The facilitator's figures made from the analytics queries' rows: pure functions (no database), so
// the figures computed and kept (cohort-figures.ts) are the same whoever computes them.
import type * as analytics from '../../models/analytics.queries.ts';
import { cohortMetrics, groupMetrics, isoWeek, weeklyTrend, weeksBetween, type NetworkMetrics, type NetworkNode, type WeekPoint } from './network-metrics.ts';
import { inquiryIndicators, type InquiryIndicators } from './inquiry-indicators.ts';

type Rows<F extends (...a: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
const DAY = 86_400_000;

export interface GroupHealth {
  weeks: string[];
  groups: Array<{ id: string; name: string; weeks: Array<{ week: string; posts: number; replies: number; kudos: number }>; totals: { posts: number; replies: number; kudos: number } }>;
}

/** Threads opened, replies and kudos per group per ISO week, from the first active week to now. */
export function groupHealthFrom(groups: Rows<typeof analytics.listGroupsOf>, rows: analytics.CohortDiscussionFigures['health'], now: Date): GroupHealth {
  const weeks = rows.length === 0 ? [] : fillWeeks(rows.map((r) => r.week), now);
  return {
    weeks,
    groups: groups.map((g) => {
      const mine = new Map(rows.filter((r) => r.groupId === g.id).map((r) => [r.week, r]));
      const perWeek = weeks.map((week) => {
        const r = mine.get(week);
        return { week, posts: r?.posts ?? 0, replies: r?.replies ?? 0, kudos: r?.kudos ?? 0 };
      });
      const totals = perWeek.reduce((t, w) => ({ posts: t.posts + w.posts, replies: t.replies + w.replies, kudos: t.kudos + w.kudos }), { posts: 0, replies: 0, kudos: 0 });
      return { id: g.id, name: g.name, weeks: perWeek, totals };
    }),
  };
}

/** Every ISO week from the earliest given to the later of the latest given and now's week. */
function fillWeeks(weeks: string[], now: Date): string[] {
  const sorted = [...new Set(weeks)].sort();
  const first = mondayOf(sorted[0]!);
  const lastKey = [sorted.at(-1)!, isoWeek(now)].sort().at(-1)!;
  return weeksBetween(first, mondayOf(lastKey));
}

/** The Monday (UTC) of an ISO week key `YYYY-Www`. */
function mondayOf(key: string): Date {
  const [y, w] = [Number(key.slice(0, 4)), Number(key.slice(6))];
  const jan4 = new Date(Date.UTC(y, 0, 4));
  const monday1 = jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * DAY;
  return new Date(monday1 + (w - 1) * 7 * DAY);
}

export interface Tie {
  from: string;
  to: string;
  weight: number;
  replies: number;
  kudos: number;
  mentions: number;
}

/** Weekly edges summed into ties, in the order first seen. */
export function tiesFrom(weekly: readonly analytics.WeeklyEdgeRow[]): Tie[] {
  const summed = new Map<string, Tie>();
  for (const e of weekly) {
    const key = `${e.from} ${e.to}`;
    const t = summed.get(key) ?? { from: e.from, to: e.to, weight: 0, replies: 0, kudos: 0, mentions: 0 };
    t.weight += e.weight;
    t.replies += e.replies;
    t.kudos += e.kudos;
    t.mentions += e.mentions;
    summed.set(key, t);
  }
  return [...summed.values()];
}

export interface SocialFigures {
  edges: Tie[];
  cohort: NetworkMetrics;
  groups: Array<{ id: string; name: string; metrics: NetworkMetrics }>;
  trend: WeekPoint[];
}

/** The learners' interaction network (facilitators' interactions are left out: they are teaching, not peer ties). */
export function socialFrom(nodes: NetworkNode[], groups: Rows<typeof analytics.listGroupsOf>, weekly: readonly analytics.WeeklyEdgeRow[], now: Date): SocialFigures {
  const ids = new Set(nodes.map((n) => n.id));
  const learnerEdges = weekly.filter((e) => ids.has(e.from) && ids.has(e.to));
  const edges = tiesFrom(learnerEdges);
  const weeks = learnerEdges.length === 0 ? [] : fillWeeks(learnerEdges.map((e) => e.week), now);
  return {
    edges,
    cohort: cohortMetrics(nodes, edges),
    groups: groups.map((g) => ({ id: g.id, name: g.name, metrics: groupMetrics(nodes, edges, g.id) })),
    trend: weeklyTrend(nodes, learnerEdges, weeks),
  };
}

export interface GroupInquiry {
  id: string;
  name: string;
  indicators: InquiryIndicators;
}

/** Community of Inquiry counts per group. */
export function inquiryFrom(
  groups: Rows<typeof analytics.listGroupsOf>,
  posts: analytics.CohortDiscussionFigures['posts'],
  kudos: analytics.CohortDiscussionFigures['kudos'],
  announcements: Rows<typeof analytics.countAnnouncements>,
): GroupInquiry[] {
  const toCohort = announcements.find((a) => a.groupId === null)?.announcements ?? 0;
  return groups.map((g) => ({
    id: g.id,
    name: g.name,
    indicators: inquiryIndicators(posts.filter((p) => p.groupId === g.id), {
      kudos: kudos.find((k) => k.groupId === g.id)?.kudos ?? 0,
      announcements: toCohort + (announcements.find((a) => a.groupId === g.id)?.announcements ?? 0),
    }),
  }));
}

export type ParticipationCounts = Rows<typeof analytics.listParticipation>[number];

// The facilitator console's home: the "needs attention" list (each item with its one action) and
// the console's other pages as grouped navigation.
import type { AttentionCounts } from './console.service.ts';
import { helpers } from '../http/view-helpers.ts';

const { plural } = helpers;

export type AttentionKind = 'flags' | 'grades' | 'never-launched' | 'quiet' | 'check-ins';

export interface AttentionItem {
  kind: AttentionKind;
  icon: string;
  text: string;
  action: string;
  href: string;
}

/** What needs the facilitator today, most urgent first; nothing when all counts are 0. */
export function attentionView(cohortId: string, c: AttentionCounts): AttentionItem[] {
  const base = `/cohorts/${cohortId}`;
  const items: Array<AttentionItem | false> = [
    c.flaggedPosts > 0 && { kind: 'flags', icon: 'flag', text: `${plural(c.flaggedPosts, 'post', 'posts')} flagged by members`, action: 'Open the moderation queue', href: `${base}/console/moderation` },
    c.failedGrades > 0 && { kind: 'grades', icon: 'alert', text: `${plural(c.failedGrades, 'score', 'scores')} the LMS did not accept`, action: 'See grades and send again', href: `${base}/console/grades` },
    c.neverLaunched > 0 && { kind: 'never-launched', icon: 'person', text: `${plural(c.neverLaunched, 'learner', 'learners')} never opened Circlework`, action: 'Nudge them', href: `${base}/console/dashboard#quiet` },
    c.quiet > 0 && { kind: 'quiet', icon: 'clock', text: `${plural(c.quiet, 'learner has', 'learners have')} gone quiet`, action: 'Nudge them', href: `${base}/console/dashboard#quiet` },
    c.overdueCheckIns > 0 && { kind: 'check-ins', icon: 'calendar', text: `${plural(c.overdueCheckIns, 'learner has', 'learners have')} a check-in due and not recorded`, action: 'See action plans and remind', href: `${base}/action-plans/console` },
  ];
  return items.filter((i): i is AttentionItem => i !== false);
}

/** The console's pages, grouped by what the facilitator is doing. */
export function consoleNavView(cohortId: string) {
  const base = `/cohorts/${cohortId}`;
  const c = `${base}/console`;
  return [
    { title: 'People and groups', links: [
      { href: `${c}/groups`, label: 'Groups', test: 'groups-link' },
      { href: '#members', label: 'Members', test: 'members-link' },
      { href: `${c}/announcements`, label: 'Announcements', test: 'announcements-link' },
      { href: base, label: 'Open the learners’ hub', test: 'hub-link' },
    ] },
    { title: 'Discussions', links: [
      { href: `${c}/moderation`, label: 'Moderation queue', test: 'moderation-link' },
      { href: `${c}/moderation/log`, label: 'Audit log', test: 'audit-log-link' },
      { href: `${c}/moderation/members`, label: 'Mute members', test: 'mute-link' },
    ] },
    { title: 'Seeing the cohort', test: 'dashboard-links', links: [
      { href: `${c}/dashboard`, label: 'Dashboard and quiet learners', test: 'dashboard-link' },
      { href: `${c}/social`, label: 'Social capital', test: 'social-link' },
      { href: `${c}/inquiry`, label: 'Community of Inquiry', test: 'inquiry-link' },
      { href: `${c}/five-factor`, label: 'Five-factor check', test: 'five-factor-link' },
      { href: `${c}/report`, label: 'Printable report', test: 'report-link' },
    ] },
    { title: 'Course and after', links: [
      { href: '#schedule', label: 'Module schedule', test: 'schedule-link' },
      { href: `${c}/grades`, label: 'Grades in the LMS', test: 'grades-link' },
      { href: `${base}/action-plans/console`, label: 'Action plans and check-ins', test: 'action-plans-link' },
    ] },
  ];
}

// The facilitator console's home: the "needs attention" list (each item with its one action) and
// the console's other pages as grouped navigation.
import type { AttentionCounts } from './console.service.ts';
import type { I18n } from '../i18n/i18n.ts';

export type AttentionKind = 'flags' | 'grades' | 'never-launched' | 'quiet' | 'check-ins';

export interface AttentionItem {
  kind: AttentionKind;
  icon: string;
  text: string;
  action: string;
  href: string;
}

/** What needs the facilitator today, most urgent first; nothing when all counts are 0. */
export function attentionView(i18n: I18n, cohortId: string, c: AttentionCounts): AttentionItem[] {
  const base = `/cohorts/${cohortId}`;
  const items: Array<AttentionItem | false> = [
    c.flaggedPosts > 0 && { kind: 'flags', icon: 'flag', text: i18n.t('cohorts.attention.flags', { count: c.flaggedPosts }), action: i18n.t('cohorts.attention.flagsAction'), href: `${base}/console/moderation` },
    c.failedGrades > 0 && { kind: 'grades', icon: 'alert', text: i18n.t('cohorts.attention.grades', { count: c.failedGrades }), action: i18n.t('cohorts.attention.gradesAction'), href: `${base}/console/grades` },
    c.neverLaunched > 0 && { kind: 'never-launched', icon: 'person', text: i18n.t('cohorts.attention.neverLaunched', { count: c.neverLaunched }), action: i18n.t('cohorts.attention.nudgeAction'), href: `${base}/console/dashboard#quiet` },
    c.quiet > 0 && { kind: 'quiet', icon: 'clock', text: i18n.t('cohorts.attention.quiet', { count: c.quiet }), action: i18n.t('cohorts.attention.nudgeAction'), href: `${base}/console/dashboard#quiet` },
    c.overdueCheckIns > 0 && { kind: 'check-ins', icon: 'calendar', text: i18n.t('cohorts.attention.checkIns', { count: c.overdueCheckIns }), action: i18n.t('cohorts.attention.checkInsAction'), href: `${base}/action-plans/console` },
  ];
  return items.filter((i): i is AttentionItem => i !== false);
}

/** The console's pages, grouped by what the facilitator is doing. */
export function consoleNavView(i18n: I18n, cohortId: string) {
  const base = `/cohorts/${cohortId}`;
  const c = `${base}/console`;
  return [
    { title: i18n.t('cohorts.nav.peopleAndGroups'), links: [
      { href: `${c}/groups`, label: i18n.t('cohorts.nav.groups'), test: 'groups-link' },
      { href: '#members', label: i18n.t('cohorts.nav.members'), test: 'members-link' },
      { href: `${c}/announcements`, label: i18n.t('cohorts.nav.announcements'), test: 'announcements-link' },
      { href: base, label: i18n.t('cohorts.nav.hub'), test: 'hub-link' },
    ] },
    { title: i18n.t('cohorts.nav.discussions'), links: [
      { href: `${c}/moderation`, label: i18n.t('cohorts.nav.moderationQueue'), test: 'moderation-link' },
      { href: `${c}/moderation/log`, label: i18n.t('cohorts.nav.auditLog'), test: 'audit-log-link' },
      { href: `${c}/moderation/members`, label: i18n.t('cohorts.nav.muteMembers'), test: 'mute-link' },
    ] },
    { title: i18n.t('cohorts.nav.seeingTheCohort'), test: 'dashboard-links', links: [
      { href: `${c}/dashboard`, label: i18n.t('cohorts.nav.dashboard'), test: 'dashboard-link' },
      { href: `${c}/social`, label: i18n.t('cohorts.nav.socialCapital'), test: 'social-link' },
      { href: `${c}/inquiry`, label: i18n.t('cohorts.nav.inquiry'), test: 'inquiry-link' },
      { href: `${c}/five-factor`, label: i18n.t('cohorts.nav.fiveFactor'), test: 'five-factor-link' },
      { href: `${c}/report`, label: i18n.t('cohorts.nav.report'), test: 'report-link' },
    ] },
    { title: i18n.t('cohorts.nav.courseAndAfter'), links: [
      { href: '#schedule', label: i18n.t('cohorts.nav.schedule'), test: 'schedule-link' },
      { href: `${c}/grades`, label: i18n.t('cohorts.nav.grades'), test: 'grades-link' },
      { href: `${base}/action-plans/console`, label: i18n.t('cohorts.nav.actionPlans'), test: 'action-plans-link' },
    ] },
  ];
}

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
  const t = (key: string) => i18n.t(`cohorts.nav.${key}`);
  return [
    { title: t('peopleAndGroups'), links: [
      { href: `${c}/groups`, label: t('groups'), test: 'groups-link' },
      { href: '#members', label: t('members'), test: 'members-link' },
      { href: `${c}/announcements`, label: t('announcements'), test: 'announcements-link' },
      { href: base, label: t('hub'), test: 'hub-link' },
    ] },
    { title: t('discussions'), links: [
      { href: `${c}/moderation`, label: t('moderationQueue'), test: 'moderation-link' },
      { href: `${c}/moderation/log`, label: t('auditLog'), test: 'audit-log-link' },
      { href: `${c}/moderation/members`, label: t('muteMembers'), test: 'mute-link' },
    ] },
    { title: t('seeingTheCohort'), test: 'dashboard-links', links: [
      { href: `${c}/dashboard`, label: t('dashboard'), test: 'dashboard-link' },
      { href: `${c}/social`, label: t('socialCapital'), test: 'social-link' },
      { href: `${c}/inquiry`, label: t('inquiry'), test: 'inquiry-link' },
      { href: `${c}/five-factor`, label: t('fiveFactor'), test: 'five-factor-link' },
      { href: `${c}/report`, label: t('report'), test: 'report-link' },
    ] },
    { title: t('courseAndAfter'), links: [
      { href: '#schedule', label: t('schedule'), test: 'schedule-link' },
      { href: `${c}/grades`, label: t('grades'), test: 'grades-link' },
      { href: `${base}/action-plans/console`, label: t('actionPlans'), test: 'action-plans-link' },
    ] },
  ];
}

// The kinds of email Circlework sends, each of which a person can turn off on their preferences page.
// A feature that emails adds its topic here (and its label shows on the page).
export const EMAIL_TOPICS = {
  digest: 'A daily digest of your unread notifications (mentions and replies)',
  'action-plan-reminders': 'Reminders to check in on your action plan after the course',
  'partner-updates': 'Accountability partner requests and your partners’ check-ins',
  nudges: 'A note from a facilitator when you have been quiet in your course for a while',
  announcements: 'Announcements from your facilitators to the cohort or your group',
} as const satisfies Record<string, string>;

export type EmailTopic = keyof typeof EMAIL_TOPICS;

export function isEmailTopic(t: string): t is EmailTopic {
  return Object.hasOwn(EMAIL_TOPICS, t);
}

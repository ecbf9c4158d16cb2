// The kinds of email Circlework sends, each of which a person can turn off on their preferences page.
// A feature that emails adds its topic here, with its label's key in the catalogs (email.json).
export const EMAIL_TOPICS = {
  digest: 'email.topic.digest',
  'action-plan-reminders': 'email.topic.actionPlanReminders',
  'partner-updates': 'email.topic.partnerUpdates',
  nudges: 'email.topic.nudges',
  announcements: 'email.topic.announcements',
} as const satisfies Record<string, string>;

export type EmailTopic = keyof typeof EMAIL_TOPICS;

export function isEmailTopic(t: string): t is EmailTopic {
  return Object.hasOwn(EMAIL_TOPICS, t);
}

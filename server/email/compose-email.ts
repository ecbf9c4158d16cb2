// Builds the text and HTML parts of an email from one description, so the two never disagree.
// Every value is escaped in the HTML part; the footer always says why it was sent and links to
// the person's preferences.
import Handlebars from 'handlebars';
import fs from 'node:fs';
import path from 'node:path';

export interface EmailContent {
  subject: string;
  greeting: string;
  paragraphs: string[];
  /** A list of items, each with an optional link. */
  items?: Array<{ text: string; href?: string }>;
  action?: { label: string; href: string };
  /** Why the person gets this email ("You get a daily digest of your unread notifications."). */
  reason: string;
  preferencesUrl: string;
}

let htmlTemplate: HandlebarsTemplateDelegate<EmailContent> | undefined;
/** Read and compiled at the first email, not at import. */
function template(): HandlebarsTemplateDelegate<EmailContent> {
  htmlTemplate ??= Handlebars.compile<EmailContent>(fs.readFileSync(path.join(import.meta.dirname, '../../views/email/message.hbs'), 'utf8'));
  return htmlTemplate;
}

export function composeEmail(c: EmailContent): { subject: string; text: string; html: string } {
  const lines = [c.greeting, ''];
  for (const p of c.paragraphs) lines.push(p, '');
  for (const item of c.items ?? []) lines.push(`- ${item.text}${item.href ? `\n  ${item.href}` : ''}`);
  if (c.items?.length) lines.push('');
  if (c.action) lines.push(`${c.action.label}: ${c.action.href}`, '');
  lines.push('--', c.reason, `Change what Circlework emails you: ${c.preferencesUrl}`);
  return { subject: c.subject, text: lines.join('\n'), html: template()(c) };
}

// Builds the text and HTML parts of an email from one description, so the two never disagree.
// Every value is escaped in the HTML part; the footer always says why it was sent and links to
// the person's preferences.
import Handlebars from 'handlebars';
import { i18nFor, type I18n } from '../i18n/i18n.ts';
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

type EmailModel = EmailContent & { footer: string; lang: string };
let htmlTemplate: HandlebarsTemplateDelegate<EmailModel> | undefined;
/** Read and compiled at the first email, not at import. */
function template(): HandlebarsTemplateDelegate<EmailModel> {
  htmlTemplate ??= Handlebars.compile<EmailModel>(fs.readFileSync(path.join(import.meta.dirname, '../../views/email/message.hbs'), 'utf8'));
  return htmlTemplate;
}

/** `i18n`: the recipient's language (the footer's words, the HTML part's lang); English when not given. */
export function composeEmail(c: EmailContent, i18n: I18n = i18nFor('en')): { subject: string; text: string; html: string } {
  const footer = i18n.t('email.footer.change');
  const lines = [c.greeting, ''];
  for (const p of c.paragraphs) lines.push(p, '');
  for (const item of c.items ?? []) lines.push(`- ${item.text}${item.href ? `\n  ${item.href}` : ''}`);
  if (c.items?.length) lines.push('');
  if (c.action) lines.push(`${c.action.label}: ${c.action.href}`, '');
  lines.push('--', c.reason, `${footer}: ${c.preferencesUrl}`);
  return { subject: c.subject, text: lines.join('\n'), html: template()({ ...c, footer, lang: i18n.lang }) };
}

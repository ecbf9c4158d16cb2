// A person's email preferences: which topics they get, and whether we can email them at all (only
// when the LMS shared an address). Knows nothing of HTTP.
import type { Db } from '../../models/db.ts';
import * as prefs from '../../models/email-preferences.queries.ts';
import { NotFoundError } from '../errors.ts';
import { EMAIL_TOPICS, isEmailTopic, type EmailTopic } from './email-topics.ts';

export interface EmailPreferences {
  name: string | null;
  /** The address we would email; null when the LMS did not share one (nothing is sent then). */
  email: string | null;
  topics: Array<{ topic: EmailTopic; labelKey: string; on: boolean }>;
  /** The language their emails are written in, for the pages their emails link to. */
  locale: string;
}

export async function readEmailPreferences(db: Db, who: { tenantId: string; personId: string }): Promise<EmailPreferences> {
  const person = await prefs.findPersonForEmail(db, who.tenantId, who.personId);
  if (!person) throw new NotFoundError('person');
  const off = new Set(await prefs.listOptOuts(db, who.tenantId, who.personId));
  return {
    name: person.name,
    email: person.email,
    locale: person.locale,
    topics: (Object.keys(EMAIL_TOPICS) as EmailTopic[]).map((topic) => ({ topic, labelKey: EMAIL_TOPICS[topic], on: !off.has(topic) })),
  };
}

/** Keeps exactly the topics in `on`; unknown names are ignored (a form cannot add topics). */
export async function saveEmailPreferences(db: Db, who: { tenantId: string; personId: string }, on: string[]): Promise<void> {
  const keep = new Set(on.filter(isEmailTopic));
  const off = (Object.keys(EMAIL_TOPICS) as EmailTopic[]).filter((t) => !keep.has(t));
  await db.transaction().execute((tx) => prefs.replaceOptOuts(tx, who.tenantId, who.personId, off));
}

export async function unsubscribe(db: Db, who: { tenantId: string; personId: string }, topic: string): Promise<EmailTopic> {
  if (!isEmailTopic(topic)) throw new NotFoundError('email topic');
  if (!(await prefs.findPersonForEmail(db, who.tenantId, who.personId))) throw new NotFoundError('person');
  await prefs.insertOptOut(db, who.tenantId, who.personId, topic);
  return topic;
}

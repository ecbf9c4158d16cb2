// Links in emails to a person's email preferences, usable without an LMS launch (the course may be
// closed). The token is an HMAC of the tenant and person under a key derived from the session
// secret: it grants only reading and changing that person's email preferences, nothing else.
import crypto from 'node:crypto';

export interface PreferenceLinks {
  /** The preferences page for this person. */
  preferencesUrl(who: { tenantId: string; personId: string }): string;
  /** One-click opt-out of one topic (also the List-Unsubscribe URL). */
  unsubscribeUrl(who: { tenantId: string; personId: string }, topic: string): string;
  /** The person a token names, or undefined when it was not made by us. */
  verify(token: string): { tenantId: string; personId: string } | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createPreferenceLinks(publicUrl: URL, sessionSecret: string): PreferenceLinks {
  const key = Buffer.from(crypto.hkdfSync('sha256', sessionSecret, 'circlework', 'email preferences link', 32));
  const mac = (payload: string) => crypto.createHmac('sha256', key).update(payload).digest('base64url');
  const token = (who: { tenantId: string; personId: string }) => {
    const payload = `${who.tenantId}.${who.personId}`;
    return `${payload}.${mac(payload)}`;
  };
  return {
    preferencesUrl: (who) => new URL(`/email/preferences/${token(who)}`, publicUrl).href,
    unsubscribeUrl: (who, topic) => new URL(`/email/preferences/${token(who)}/unsubscribe/${encodeURIComponent(topic)}`, publicUrl).href,
    verify: (t) => {
      const [tenantId, personId, signature] = t.split('.');
      if (!tenantId || !personId || !signature || !UUID.test(tenantId) || !UUID.test(personId)) return undefined;
      const expected = Buffer.from(mac(`${tenantId}.${personId}`));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
      return { tenantId, personId };
    },
  };
}

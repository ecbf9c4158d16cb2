// Sends email through SMTP (nodemailer). Every message has a plain-text part, an HTML part, and a
// link to the person's email preferences (also as List-Unsubscribe, so mail clients offer it).
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Db } from '../../models/db.ts';
import type { PreferenceLinks } from './preference-links.ts';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Where the person changes what Circlework emails them; mandatory on every email. */
  preferencesUrl: string;
  /** One-click opt-out of this kind of email (RFC 8058), when there is one. */
  unsubscribeUrl?: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/**
 * How long one send may wait on the SMTP server. nodemailer's defaults (2 minutes to connect, 30 s
 * for the greeting, 10 minutes of silence) would hold a job worker that long when the server accepts
 * connections but never answers; failing sooner lets the job's retry try again later.
 */
export interface SmtpTimeouts {
  connectMs: number;
  greetingMs: number;
  socketMs: number;
}
const SMTP_TIMEOUTS: SmtpTimeouts = { connectMs: 10_000, greetingMs: 10_000, socketMs: 30_000 };

export function createMailer(opts: { smtpUrl: string | undefined; from: string; log: Logger; timeouts?: SmtpTimeouts }): Mailer {
  const timeouts = opts.timeouts ?? SMTP_TIMEOUTS;
  // Without SMTP the message is rendered and logged, so development shows what would be sent.
  const transport = opts.smtpUrl
    ? nodemailer.createTransport({ url: opts.smtpUrl, connectionTimeout: timeouts.connectMs, greetingTimeout: timeouts.greetingMs, socketTimeout: timeouts.socketMs })
    : nodemailer.createTransport({ jsonTransport: true });
  return {
    send: async (email) => {
      const info = await transport.sendMail({
        from: opts.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        list: {
          help: email.preferencesUrl,
          ...(email.unsubscribeUrl ? { unsubscribe: { url: email.unsubscribeUrl, comment: 'Unsubscribe' } } : {}),
        },
        headers: email.unsubscribeUrl ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {},
      });
      if (!opts.smtpUrl) opts.log.info({ to: email.to, subject: email.subject }, 'email not sent: SMTP_URL is not set');
      else opts.log.debug({ messageId: info.messageId }, 'email sent');
    },
    close: () => transport.close(),
  };
}

/** What every feature that sends email needs (jobs and services alike): one set per process. */
export interface EmailDeps {
  db: Db;
  log: Logger;
  mailer: Mailer;
  links: PreferenceLinks;
  /** Links in emails are absolute, under the public address. */
  publicUrl: URL;
}

// A real SMTP server (npm smtp-server) on a free local port that keeps every message it receives,
// parsed (mailparser), so tests read exactly what a mail server would have been handed.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface ReceivedEmail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail['headers'];
}

export class SmtpSink {
  readonly messages: ReceivedEmail[] = [];
  #failures = 0;
  #url = '';
  readonly #server: SMTPServer;

  constructor() {
    this.#server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        if (this.#failures > 0) {
          this.#failures--;
          stream.resume();
          stream.on('end', () => callback(Object.assign(new Error('Temporary failure (test)'), { responseCode: 451 })));
          return;
        }
        simpleParser(stream)
          .then((mail) => {
            this.messages.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              headers: mail.headers,
            });
            callback();
          })
          .catch(callback);
      },
    });
  }

  static async start(): Promise<SmtpSink> {
    return new SmtpSink().listen();
  }

  /** Listens on a free local port; `url` is then the SMTP_URL to give the app. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#url = `smtp://127.0.0.1:${(this.#server.server.address() as AddressInfo).port}`;
    return this;
  }

  get url(): string {
    return this.#url;
  }

  /** The next `n` messages are refused with a temporary failure (451). */
  failNext(n: number): void {
    this.#failures = n;
  }

  to(address: string): ReceivedEmail[] {
    return this.messages.filter((m) => m.to.includes(address));
  }

  clear(): void {
    this.messages.length = 0;
    this.#failures = 0;
  }

  /** The messages to `address`, once there are `n` of them (polling, not timing; gives up after 10 s). */
  async waitFor(address: string, n = 1): Promise<ReceivedEmail[]> {
    for (let i = 0; i < 200 && this.to(address).length < n; i++) await new Promise((r) => setTimeout(r, 50));
    return this.to(address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** The first absolute link in an email's text whose address contains `path`. */
export function linkIn(mail: ReceivedEmail, path: string): string {
  return new RegExp(`https?://[^\\s]+${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\s]*`).exec(mail.text)?.[0] ?? '';
}

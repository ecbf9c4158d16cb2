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
  private constructor(
    private readonly server: SMTPServer,
    readonly url: string,
  ) {}

  static async start(): Promise<SmtpSink> {
    let sink: SmtpSink | undefined;
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        if (sink && sink.#failures > 0) {
          sink.#failures--;
          stream.resume();
          stream.on('end', () => callback(Object.assign(new Error('Temporary failure (test)'), { responseCode: 451 })));
          return;
        }
        simpleParser(stream)
          .then((mail) => {
            sink!.messages.push({
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
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    sink = new SmtpSink(server, `smtp://127.0.0.1:${port}`);
    return sink;
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

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// An SMTP server that accepts the connection and then says nothing (a stuck relay, a firewall that
// swallows packets) must fail the send in bounded time, so the email job fails and pg-boss retries
// it later, instead of holding a worker for nodemailer's default ten minutes.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import pino from 'pino';
import { createMailer } from '../../server/email/mailer.ts';

/** A TCP server that runs `onSocket` for each connection and never closes them itself. */
async function tcpServer(onSocket: (socket: net.Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const email = { to: 'sam@example.org', subject: 'Hello', text: 'Hello', html: '<p>Hello</p>', preferencesUrl: 'https://tool.example/email' };
const log = pino({ level: 'silent' });
// Short limits so the test ends quickly; the production defaults are seconds, not minutes.
const timeouts = { connectMs: 500, greetingMs: 500, socketMs: 500 };

describe('email: an SMTP server that never answers', function () {
  // Without our limits, nodemailer waits 30 s for a greeting and 10 minutes of silence: past this.
  this.timeout(8_000);

  it('fails the send when the server accepts the connection but never greets', async () => {
    const silent = await tcpServer(() => {});
    const mailer = createMailer({ smtpUrl: silent.url, from: 'tool@example.org', log, timeouts });
    try {
      const err = await mailer.send(email).then(() => undefined, (e: unknown) => e as Error);
      expect(err, 'the send should have failed').to.be.instanceOf(Error);
      expect(String((err as { code?: string }).code)).to.match(/ETIMEDOUT|ECONNECTION|ESOCKET/);
    } finally {
      mailer.close();
      await silent.close();
    }
  });

  it('fails the send when the server greets, then goes silent in the middle of the conversation', async () => {
    const stalls = await tcpServer((socket) => {
      socket.write('220 stuck.example ESMTP\r\n');
      // Answers EHLO, then never answers MAIL FROM.
      socket.once('data', () => socket.write('250-stuck.example\r\n250 8BITMIME\r\n'));
    });
    const mailer = createMailer({ smtpUrl: stalls.url, from: 'tool@example.org', log, timeouts });
    try {
      const err = await mailer.send(email).then(() => undefined, (e: unknown) => e as Error);
      expect(err, 'the send should have failed').to.be.instanceOf(Error);
    } finally {
      mailer.close();
      await stalls.close();
    }
  });
});

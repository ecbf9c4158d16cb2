// A server whose answer never ends, for the registration fetch's size cap: it writes 64 KiB chunks
// as fast as the client reads them, until the client hangs up.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EndlessServer {
  url: string;
  /** Bytes handed to the socket so far (what the client read, plus what sits in socket buffers). */
  bytesWritten(): number;
  /** Connections accepted (a TLS hello counts too). */
  connections(): number;
  /** Resolves when the first response's connection closes. */
  closed: Promise<void>;
  close(): Promise<void>;
}

export async function endlessJsonServer(): Promise<EndlessServer> {
  let written = 0;
  let connections = 0;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => { resolveClosed = resolve; });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const server = http.createServer((_req, res) => {
    res.on('close', resolveClosed);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"issuer":"');
    const pump = (): void => {
      while (!res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) { res.once('drain', pump); return; }
      }
    };
    pump();
  });
  server.on('connection', () => { connections++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytesWritten: () => written,
    connections: () => connections,
    closed,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

// Running our entry points (server, CLIs) as real processes, as an operator would: plain `node`,
// which runs our TypeScript by stripping its types (as `npm start` and the Docker image do).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export function runScript(script: string, args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `ownGroup`: in a process group of its own (with whatever it starts), as a terminal runs it: Ctrl-C signals the whole group. */
export function startScript(script: string, env: Record<string, string | undefined>, nodeFlags: string[] = [], opts: { ownGroup?: boolean } = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...nodeFlags, script], { env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownGroup ?? false });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export async function waitFor(check: () => Promise<boolean>, what: string, attempts = 900): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function cleanEnv(): Record<string, string | undefined> {
  const { DATABASE_URL: _a, TEST_DATABASE_URL: _b, PORT: _c, PUBLIC_URL: _d, DATA_DIR: _e, ...rest } = process.env;
  return rest;
}

// Secrets outside production may be left unset: they are generated once and kept in DATA_DIR, so
// sessions and ltijs's encrypted documents survive restarts. Production must set them (config.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';

export interface Secrets {
  sessionSecret: string;
  ltiEncryptionKey: string;
}

export function resolveSecrets(config: Config): Secrets {
  if (config.sessionSecret && config.ltiEncryptionKey) {
    return { sessionSecret: config.sessionSecret, ltiEncryptionKey: config.ltiEncryptionKey };
  }
  const file = path.resolve(config.dataDir, 'secrets.json');
  let stored: Partial<Secrets> = {};
  if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Secrets>;
  const secrets: Secrets = {
    sessionSecret: config.sessionSecret ?? stored.sessionSecret ?? crypto.randomBytes(32).toString('hex'),
    ltiEncryptionKey: config.ltiEncryptionKey ?? stored.ltiEncryptionKey ?? crypto.randomBytes(32).toString('hex'),
  };
  if (secrets.sessionSecret !== stored.sessionSecret || secrets.ltiEncryptionKey !== stored.ltiEncryptionKey) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

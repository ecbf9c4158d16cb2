// The one place that reads process.env: parsed once at boot with zod, then passed in.
import { z } from 'zod';

const csv = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  );

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  // The address LMSs and browsers reach the tool at; its origin goes into every LTI URL.
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().min(1).optional(),
  DATA_DIR: z.string().default('./data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  SESSION_SECRET: z.string().min(32).optional(),
  LTI_ENCRYPTION_KEY: z.string().min(32).optional(),
  TRUSTED_ISSUERS: csv,
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12).optional(),
  // Express's own 'trust proxy' setting: 'true', a hop count, or a list of addresses.
  TRUST_PROXY: z.string().default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Allows http:// (not only https://) OpenID configuration URLs at /lti/register: for local trials.
  ALLOW_INSECURE_REGISTRATION: z.stringbool().default(false),
  // Outgoing email (digests, reminders, invitations): smtp://user:pass@host:587 or smtps://…:465.
  // Unset: emails are written to the log instead of sent (development).
  SMTP_URL: z.url().optional(),
  EMAIL_FROM: z.string().min(3).optional(),
  // Open live-update streams (SSE) per person and in all, per app process; past either: 429.
  LIVE_STREAMS_PER_PERSON: z.coerce.number().int().min(1).default(10),
  LIVE_STREAMS_PER_PROCESS: z.coerce.number().int().min(1).default(2000),
  // Requests waiting for a database connection past which new requests get a 503 at once.
  LOAD_SHED_QUEUE: z.coerce.number().int().min(0).default(1000),
  // How long a facilitator's console waits for a new cohort's first roster sync before it renders
  // (then it shows a notice and fills in the roster when it arrives).
  ROSTER_FIRST_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(3000),
  // The built-in demo platform and cohort (server/demo/): on outside production, off in it unless true.
  DEMO: z.stringbool().optional(),
  // Attachments (server/media/): the largest file per kind and the storage quotas, in MB.
  MEDIA_IMAGE_MAX_MB: z.coerce.number().positive().default(10),
  MEDIA_DOCUMENT_MAX_MB: z.coerce.number().positive().default(25),
  MEDIA_VIDEO_MAX_MB: z.coerce.number().positive().default(200),
  MEDIA_QUOTA_PERSON_MB: z.coerce.number().positive().default(500),
  MEDIA_QUOTA_COHORT_MB: z.coerce.number().positive().default(20_000),
  // An S3-compatible object store for attachments; unset: they are kept in PostgreSQL.
  S3_URL: z.url().optional(),
  S3_BUCKET: z.string().min(3).optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_PREFIX: z.string().default(''),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  publicUrl: URL;
  /** Cookies are Secure; SameSite=None; Partitioned only when the tool is served over https. */
  secureCookies: boolean;
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  sessionSecret: string | undefined;
  ltiEncryptionKey: string | undefined;
  trustedIssuers: string[];
  admin: { email: string; password: string } | undefined;
  trustProxy: boolean | number | string;
  logLevel: Env['LOG_LEVEL'];
  allowInsecureRegistration: boolean;
  smtpUrl: string | undefined;
  /** The From header of every email: EMAIL_FROM, or Circlework at the public host. */
  emailFrom: string;
  liveStreams: { perPerson: number; perProcess: number };
  loadShedQueue: number;
  rosterFirstWaitMs: number;
  /** The demo platform and cohort are served (DEMO, default: on outside production). */
  demo: boolean;
  media: {
    maxBytes: { image: number; document: number; video: number };
    quotaPerPerson: number;
    quotaPerCohort: number;
    /** The object store, when S3_URL is set; otherwise PostgreSQL keeps the files. */
    s3: { url: string; bucket: string; region: string; accessKeyId: string | undefined; secretAccessKey: string | undefined; prefix: string } | undefined;
  };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const publicUrl = new URL(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`);
  if (e.NODE_ENV === 'production' && (!e.SESSION_SECRET || !e.LTI_ENCRYPTION_KEY)) {
    throw new ConfigError('SESSION_SECRET and LTI_ENCRYPTION_KEY must be set in production');
  }
  if (e.S3_URL && !e.S3_BUCKET) throw new ConfigError('S3_BUCKET must be set with S3_URL');
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('ADMIN_EMAIL and ADMIN_PASSWORD are set together or not at all');
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    secureCookies: publicUrl.protocol === 'https:',
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    sessionSecret: e.SESSION_SECRET,
    ltiEncryptionKey: e.LTI_ENCRYPTION_KEY,
    trustedIssuers: e.TRUSTED_ISSUERS.map(normaliseIssuer),
    admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD } : undefined,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    allowInsecureRegistration: e.ALLOW_INSECURE_REGISTRATION,
    smtpUrl: e.SMTP_URL,
    emailFrom: e.EMAIL_FROM ?? `Circlework <no-reply@${publicUrl.hostname}>`,
    liveStreams: { perPerson: e.LIVE_STREAMS_PER_PERSON, perProcess: e.LIVE_STREAMS_PER_PROCESS },
    loadShedQueue: e.LOAD_SHED_QUEUE,
    rosterFirstWaitMs: e.ROSTER_FIRST_WAIT_MS,
    demo: e.DEMO ?? e.NODE_ENV !== 'production',
    media: {
      maxBytes: { image: mb(e.MEDIA_IMAGE_MAX_MB), document: mb(e.MEDIA_DOCUMENT_MAX_MB), video: mb(e.MEDIA_VIDEO_MAX_MB) },
      quotaPerPerson: mb(e.MEDIA_QUOTA_PERSON_MB),
      quotaPerCohort: mb(e.MEDIA_QUOTA_COHORT_MB),
      s3: e.S3_URL ? { url: e.S3_URL, bucket: e.S3_BUCKET!, region: e.S3_REGION, accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY, prefix: e.S3_PREFIX } : undefined,
    },
  };
}

function mb(n: number): number {
  return Math.round(n * 1024 * 1024);
}

/** Issuers compare without a trailing slash: Moodle's wwwroot is written both ways. */
export function normaliseIssuer(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}

function parseTrustProxy(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

import { sql, type Kysely } from 'kysely';

// The demo platform's own signing key, made once per issuer (the issuer follows PUBLIC_URL) and kept
// here so every app process signs with the same key. The private key is sealed with LTI_ENCRYPTION_KEY.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE demo_platform_keys (
      issuer text PRIMARY KEY,
      kid text NOT NULL,
      private_key text NOT NULL,
      public_jwk text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

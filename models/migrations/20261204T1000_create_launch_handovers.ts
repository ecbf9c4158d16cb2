import { sql, type Kysely } from 'kysely';

// A verified launch whose browser keeps no cookie in the LMS frame is handed over to a new top-level
// window: only the SHA-256 of the one-use hand-over token is stored, for two minutes, with the launch
// it grants and the page to open.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE launch_handovers (
      token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
      launch jsonb NOT NULL,
      return_to text NOT NULL CHECK (return_to ~ '^/[A-Za-z0-9/_-]*$'),
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX launch_handovers_expires_idx ON launch_handovers (expires_at)`.execute(db);
}

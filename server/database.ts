// Finds the database: DATABASE_URL when given, else our embedded PostgreSQL under DATA_DIR.
// Used by the server, the CLIs and the benchmarks; migrations run here as a startup step.
import { createDb, type DbHandle } from '../models/db.ts';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer, type EmbeddedStop } from '../models/embedded-postgres.ts';
import { migrateToLatest } from '../models/migrate.ts';
import type { Config } from './config.ts';

export interface OpenDatabase extends DbHandle {
  url: string;
  /** Closes the pool, then stops the embedded server if we started one. */
  shutdown(): Promise<void>;
}

export async function openDatabase(
  config: Config,
  opts: { log: (msg: string) => void; migrate: boolean; poolSize?: number; onPoolError?: (err: Error) => void; onEmbeddedStopped?: (stop: EmbeddedStop) => void },
): Promise<OpenDatabase> {
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log: opts.log, onStopped: opts.onEmbeddedStopped });
    await ensureDatabase(embedded.url('postgres'), 'circlework');
    url = embedded.url('circlework');
  }
  const handle = createDb(url, { max: opts.poolSize, onError: opts.onPoolError });
  try {
    if (opts.migrate) {
      const applied = await migrateToLatest(handle.db);
      if (applied.length > 0) opts.log(`applied migrations: ${applied.join(', ')}`);
    }
  } catch (err) {
    await handle.close();
    await embedded?.stop();
    throw err;
  }
  return {
    ...handle,
    url,
    shutdown: async () => {
      await handle.close();
      await embedded?.stop();
    },
  };
}

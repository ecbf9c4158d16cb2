// npm run db:migrate — applies pending migrations to DATABASE_URL (or the embedded database).
import { loadConfig } from './config.ts';
import { openDatabase } from './database.ts';

const config = loadConfig();
const db = await openDatabase(config, { log: (m) => console.log(m), migrate: true });
console.log('database is up to date');
await db.shutdown();

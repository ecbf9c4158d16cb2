// One retention run in its own process, as the daily job would run it, for the test that kills it
// halfway (kill -9) and runs it again. Small chunks with a pause, so it is still running when killed.
import { createDb } from '../../models/db.ts';
import { runRetention } from '../../server/privacy/retention.service.ts';

const handle = createDb(process.env['DATABASE_URL']!, { max: 2 });
await runRetention({ db: handle.db, now: () => new Date(Number(process.env['NOW_MS'])), chunkRows: Number(process.env['CHUNK_ROWS']), pauseMs: Number(process.env['PAUSE_MS']) });
await handle.close();

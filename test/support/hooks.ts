// Mocha global fixtures: one real PostgreSQL for the whole run (embedded unless TEST_DATABASE_URL is
// given), a database created fresh and migrated; every test then truncates what it uses. Under
// --parallel each worker first copies that database into its own (useWorkerDatabase).
import { failOnCspViolations } from './browser.ts';
import { startTestDatabase, stopTestDatabase, useWorkerDatabase } from './test-database.ts';

export async function mochaGlobalSetup(): Promise<void> {
  await startTestDatabase();
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopTestDatabase();
}

export const mochaHooks = { beforeAll: useWorkerDatabase, beforeEach: failOnCspViolations };

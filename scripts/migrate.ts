/**
 * `npm run db:migrate`: creates the database if needed and applies pending migrations (idempotent).
 * Also the compose `migrate` service and the Kubernetes migration Job.
 */
import path from 'node:path';
import { ConfigError, loadConfig } from '@tgg/config';
import { applyMigrations, ensureDatabaseExists } from '@tgg/data';

export async function migrate(databaseUrl: string, log: (line: string) => void = console.log): Promise<void> {
  if (await ensureDatabaseExists(databaseUrl)) log('created database');
  const report = await applyMigrations(databaseUrl, path.resolve('prisma/migrations'), log);
  log(report.applied.length ? `applied ${report.applied.length} migration(s)` : `database is up to date (${report.alreadyApplied.length} migration(s))`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await migrate(loadConfig().db.url);
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : `migration failed: ${error instanceof Error ? error.message : String(error)}`;
    console.error(message);
    process.exit(1);
  }
}

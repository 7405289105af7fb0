import pg from 'pg';
import { readMigrations } from './migration-applier.js';

export interface SchemaWaitOptions {
  /** How often to look again while migrations are missing. */
  pollMs?: number;
  /** Called once, when the first look finds migrations missing (not on every poll). */
  onWaiting?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Resolves once every migration in `migrationsDir` is recorded as finished in `_prisma_migrations`.
 * A service started before the migration Job/init container (or `npm run db:migrate`) has run waits
 * here with one clear log line instead of failing on a missing table and crash-looping. A database
 * that does not exist yet counts as "not migrated"; any other connection error is thrown, so an
 * unreachable Postgres still fails start-up with its own message.
 */
export async function waitForSchema(databaseUrl: string, migrationsDir: string, options: SchemaWaitOptions = {}): Promise<void> {
  const expected = (await readMigrations(migrationsDir)).map((migration) => migration.name);
  let announced = false;
  for (;;) {
    const missing = await missingMigrations(databaseUrl, expected);
    if (missing.length === 0) return;
    if (!announced) {
      announced = true;
      options.onWaiting?.(
        `waiting for database migrations (${missing.length} not applied, latest ${expected.at(-1) ?? '?'}); run the migration job or \`npm run db:migrate\``,
      );
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, options.pollMs ?? 2000);
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new Error('stopped while waiting for database migrations'));
      }, { once: true });
    });
  }
}

async function missingMigrations(databaseUrl: string, expected: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') return expected; // database not created yet
    throw error;
  }
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((row) => row.migration_name));
    return expected.filter((name) => !applied.has(name));
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return expected; // no bookkeeping table yet
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

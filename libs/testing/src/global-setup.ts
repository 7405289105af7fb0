// Jest loads global setup through require() without moduleNameMapper, hence the .ts specifiers.
import path from 'node:path';
import pg from 'pg';
import { createHash } from 'node:crypto';
import { applyMigrations, readMigrations } from '../../data/src/migrations/migration-applier.ts';
import { adminUrl, baseDatabaseUrl } from './test-env.ts';

/**
 * Jest global setup: migrates a template database once per set of migrations, so each test file
 * can create its own database from it in milliseconds (immich's pattern). Unit-only runs skip it.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['TGG_UNIT_ONLY']) return;
  const migrationsDir = path.resolve('prisma/migrations');
  const migrations = await readMigrations(migrationsDir);
  const fingerprint = createHash('sha256').update(migrations.map((m) => `${m.name}:${m.checksum}`).join('\n')).digest('hex').slice(0, 12);
  const templateName = `tgg_template_${fingerprint}`;

  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [templateName]);
    if (!rowCount) {
      const building = `${templateName}_${process.pid}`;
      await admin.query(`CREATE DATABASE "${building}"`);
      const url = new URL(baseDatabaseUrl());
      url.pathname = `/${building}`;
      await applyMigrations(url.toString(), migrationsDir);
      // Rename only once complete, so a crashed run never leaves a half-migrated template behind.
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${templateName}"`).catch(async (error: unknown) => {
        await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
        if ((error as { code?: string }).code !== '42P04') throw error;
      });
    }
  } finally {
    await admin.end();
  }
  process.env['TGG_TEMPLATE_DATABASE'] = templateName;
}

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations, ensureDatabaseExists } from '@tgg/data';
import type { TestDatabase } from '@tgg/testing';

/** A throwaway, migrated database for one benchmark run. */
export async function createBenchDatabase(baseUrl: string): Promise<TestDatabase> {
  const name = `tgg_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  await ensureDatabaseExists(url.toString());
  await applyMigrations(url.toString(), path.resolve('prisma/migrations'));
  const admin = new URL(baseUrl);
  admin.pathname = '/postgres';
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@tgg/testing';
import { applyMigrations, readMigrations } from './migration-applier.js';

describe('applyMigrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('records every migration in _prisma_migrations with Prisma checksums and applies nothing twice', async () => {
    const dir = path.resolve('prisma/migrations');
    const expected = await readMigrations(dir);
    const report = await applyMigrations(db.url, dir);
    expect(report.applied).toEqual([]);
    expect(report.alreadyApplied).toEqual(expected.map((m) => m.name));

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query('SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name');
    await client.end();
    expect(rows.map((row) => [row.migration_name, row.checksum])).toEqual(expected.map((m) => [m.name, m.checksum]));
    expect(rows.every((row) => row.finished_at instanceof Date)).toBe(true);
  });
});

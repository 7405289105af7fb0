import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { baseDatabaseUrl, createTestDatabase, type TestDatabase } from '@tgg/testing';
import { applyMigrations, ensureDatabaseExists, readMigrations } from './migration-applier.js';

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

/** As behind PgBouncer, or on a managed Postgres: the bridge's role may not connect to `postgres`. */
describe('ensureDatabaseExists and applyMigrations with a role that cannot connect to the maintenance database', () => {
  const suffix = randomBytes(4).toString('hex');
  const role = `tgg_nopg_${suffix}`;
  const database = `tgg_nopg_${suffix}`;
  const superuser = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const url = new URL(baseDatabaseUrl());
    url.pathname = '/postgres';
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const urlAs = (name: string) => {
    const url = new URL(baseDatabaseUrl());
    url.username = role;
    url.password = '';
    url.pathname = `/${name}`;
    return url.toString();
  };

  beforeAll(async () => {
    await superuser(async (client) => {
      await client.query(`CREATE ROLE "${role}" LOGIN`);
      await client.query(`CREATE DATABASE "${database}" OWNER "${role}"`);
      // Only PUBLIC's grant lets ordinary roles in; superusers (every other test) are unaffected.
      await client.query('REVOKE CONNECT ON DATABASE postgres FROM PUBLIC');
    });
  });
  afterAll(async () => {
    await superuser(async (client) => {
      await client.query('GRANT CONNECT ON DATABASE postgres TO PUBLIC');
      await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS "${role}"`);
    });
  });

  it('cannot reach `postgres` as that role (the premise)', async () => {
    const client = new pg.Client({ connectionString: urlAs('postgres') });
    await expect(client.connect()).rejects.toThrow(/permission denied for database "postgres"/);
    await client.end().catch(() => undefined);
  });

  it('finds the existing database without the maintenance database and migrates it', async () => {
    await expect(ensureDatabaseExists(urlAs(database))).resolves.toBe(false);
    const dir = path.resolve('prisma/migrations');
    const report = await applyMigrations(urlAs(database), dir);
    expect(report.applied).toEqual((await readMigrations(dir)).map((m) => m.name));
  });

  it('says what to do when the database is missing and cannot be created', async () => {
    await expect(ensureDatabaseExists(urlAs(`${database}_missing`))).rejects.toThrow(
      `database "${database}_missing" does not exist and the maintenance database "postgres" is not reachable to create it`,
    );
  });
});

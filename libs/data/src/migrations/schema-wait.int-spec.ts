import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { baseDatabaseUrl, eventually } from '@tgg/testing';
import { applyMigrations } from './migration-applier.js';
import { waitForSchema } from './schema-wait.js';

const MIGRATIONS = path.resolve('prisma/migrations');

/** A database URL whose database does not exist yet (dropped after the test if it was created). */
function freshDatabaseUrl(): { url: string; name: string } {
  const name = `tgg_w_${randomBytes(5).toString('hex')}`;
  const url = new URL(baseDatabaseUrl());
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(baseDatabaseUrl());
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('waitForSchema', () => {
  const created: string[] = [];
  afterAll(async () => {
    await admin(async (client) => {
      for (const name of created) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
  });

  it('waits with one log line while migrations are missing, and returns once they are applied', async () => {
    const { url, name } = freshDatabaseUrl();
    created.push(name);
    await admin((client) => client.query(`CREATE DATABASE "${name}"`));
    const lines: string[] = [];
    let done = false;
    const waiting = waitForSchema(url, MIGRATIONS, { pollMs: 50, onWaiting: (line) => lines.push(line) }).then(() => {
      done = true;
    });
    await eventually(() => expect(lines).toHaveLength(1));
    expect(lines[0]).toMatch(/^waiting for database migrations \(\d+ not applied, latest \d+_\w+\)/);
    expect(done).toBe(false);

    await applyMigrations(url, MIGRATIONS);
    await waiting;
    expect(lines).toHaveLength(1);
  });

  it('treats a database that does not exist yet as not migrated', async () => {
    const { url, name } = freshDatabaseUrl();
    created.push(name);
    const controller = new AbortController();
    const lines: string[] = [];
    const waiting = waitForSchema(url, MIGRATIONS, { pollMs: 50, onWaiting: (line) => lines.push(line), signal: controller.signal });
    await eventually(() => expect(lines).toHaveLength(1));
    controller.abort();
    await expect(waiting).rejects.toThrow('stopped while waiting for database migrations');
  });

  it('returns at once on a migrated database without logging', async () => {
    const { url, name } = freshDatabaseUrl();
    created.push(name);
    await admin((client) => client.query(`CREATE DATABASE "${name}"`));
    await applyMigrations(url, MIGRATIONS);
    const lines: string[] = [];
    await waitForSchema(url, MIGRATIONS, { pollMs: 50, onWaiting: (line) => lines.push(line) });
    expect(lines).toEqual([]);
  });

  it('still fails fast when Postgres itself is unreachable', async () => {
    await expect(waitForSchema('postgresql://postgres@127.0.0.1:1/tg_genesys', MIGRATIONS, { pollMs: 50 })).rejects.toThrow(/ECONNREFUSED/);
  });
});

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { adminUrl, baseDatabaseUrl } from './test-env.js';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file, cloned from the template made by global setup. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env['TGG_TEMPLATE_DATABASE'];
  if (!template) throw new Error('TGG_TEMPLATE_DATABASE is not set: run tests through `npm test` (Jest globalSetup)');
  const name = `tgg_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseDatabaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * One BullMQ/Redis key prefix per test file, so files never see each other's queues. It uses every
 * kind of character QUEUE_PREFIX allows besides letters and digits (`:` `.` `_` `-`), so every test
 * also checks that nothing builds, matches or splits keys in a way such a prefix would break.
 */
export function testQueuePrefix(): string {
  return `tgg-t.${randomBytes(4).toString('hex')}:q_1`;
}

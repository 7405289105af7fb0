import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@tgg/testing';
import { getDmmfDatamodel } from './prisma-schema-wasm.js';
import {
  actualShapeFromCatalog,
  diffShapes,
  expectedShapeFromDmmf,
  formatDriftReport,
  readCatalogRows,
  scanSchemaText,
  type DbShape,
} from './schema-drift.js';

// The database our migrations build (Jest global setup migrates the template every test database is
// cloned from) must be the one prisma/schema.prisma describes. A schema change without a matching
// migration, or a migration that drifts from the schema, fails here with a list of differences.

const schemaPath = path.resolve('prisma/schema.prisma');

async function actualShape(client: pg.Client): Promise<DbShape> {
  return actualShapeFromCatalog(await readCatalogRows(async (sql) => (await client.query(sql)).rows));
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('schema drift: migrations vs prisma/schema.prisma', () => {
  const schemaText = readFileSync(schemaPath, 'utf8');
  const datamodel = getDmmfDatamodel([[schemaPath, schemaText]]);
  const expected = expectedShapeFromDmmf(datamodel, scanSchemaText(schemaText));

  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('the migrated database has exactly the tables, columns, enums, keys, indexes and foreign keys of schema.prisma', async () => {
    const actual = await withClient(db.url, actualShape);

    // Guard against a vacuous pass: both sides must actually describe the models.
    expect(expected.tables.map((t) => t.name)).toHaveLength(datamodel.models.length);
    expect(expected.tables.length).toBeGreaterThan(0);
    expect(actual.tables.map((t) => t.name)).toEqual(expect.arrayContaining(expected.tables.map((t) => t.name)));

    const differences = diffShapes(expected, actual);
    if (differences.length > 0) throw new Error(formatDriftReport(differences));
  });

  it('reports a schema.prisma change that has no migration', async () => {
    const mapLine = '  @@map("channels")';
    expect(schemaText).toContain(mapLine);
    const changedText = schemaText.replace(mapLine, `  note String?\n\n  @@index([name, createdAt])\n${mapLine}`);
    const changed = expectedShapeFromDmmf(getDmmfDatamodel(changedText), scanSchemaText(changedText));

    expect(diffShapes(changed, await withClient(db.url, actualShape))).toEqual([
      'column "channels"."note": missing from the database (schema.prisma expects text nullable)',
      'index "channels_name_created_at_idx" on "channels": missing from the database (schema.prisma expects btree (name, created_at))',
    ]);
  });

  describe('the comparison catches drift (each change made in a rolled-back transaction on a second database)', () => {
    let drifted: TestDatabase;
    beforeAll(async () => {
      drifted = await createTestDatabase();
    });
    afterAll(async () => {
      await drifted?.drop();
    });

    async function differencesAfter(sql: string): Promise<string[]> {
      return withClient(drifted.url, async (client) => {
        await client.query('BEGIN');
        try {
          await client.query(sql);
          return diffShapes(expected, await actualShape(client));
        } finally {
          await client.query('ROLLBACK');
        }
      });
    }

    it.each<[string, string, string[]]>([
      [
        'a dropped index',
        'DROP INDEX "messages_created_at_idx"',
        ['index "messages_created_at_idx" on "messages": missing from the database (schema.prisma expects btree (created_at))'],
      ],
      [
        'a column the schema does not have',
        'ALTER TABLE "channels" ADD COLUMN "note" TEXT',
        ['column "channels"."note": exists in the database but not in schema.prisma (text nullable)'],
      ],
      [
        'a different native type',
        'ALTER TABLE "conversations" ALTER COLUMN "username" TYPE VARCHAR(32)',
        ['column "conversations"."username": type is character varying(32) in the database, schema.prisma expects character varying(64)'],
      ],
      [
        'a lost NOT NULL',
        'ALTER TABLE "messages" ALTER COLUMN "chat_id" DROP NOT NULL',
        ['column "messages"."chat_id": nullable in the database, schema.prisma expects NOT NULL'],
      ],
      [
        'a different default',
        `ALTER TABLE "messages" ALTER COLUMN "variant" SET DEFAULT 'x'`,
        [`column "messages"."variant": default is 'x'::character varying in the database, schema.prisma expects 'm'`],
      ],
      [
        'a different ON DELETE',
        `ALTER TABLE "conversations" DROP CONSTRAINT "conversations_channel_id_fkey",
           ADD CONSTRAINT "conversations_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE RESTRICT ON UPDATE CASCADE`,
        [
          'foreign key "conversations_channel_id_fkey" on "conversations": database has (channel_id) REFERENCES channels (id) ON DELETE RESTRICT ON UPDATE CASCADE, ' +
            'schema.prisma expects (channel_id) REFERENCES channels (id) ON DELETE CASCADE ON UPDATE CASCADE',
        ],
      ],
      [
        'an extra enum label',
        `ALTER TYPE "MessageStatus" ADD VALUE 'archived'`,
        ['enum "MessageStatus": label "archived" exists in the database but not in schema.prisma'],
      ],
      [
        'a unique index that is no longer unique',
        'DROP INDEX "channels_name_key"; CREATE INDEX "channels_name_key" ON "channels"("name")',
        ['index "channels_name_key" on "channels": database has btree (name), schema.prisma expects UNIQUE btree (name)'],
      ],
      [
        'a renamed index',
        'ALTER INDEX "conversations_genesys_conversation_id_idx" RENAME TO "conversations_genesys_idx"',
        [
          'index on "conversations" btree (genesys_conversation_id): named "conversations_genesys_idx" in the database, ' +
            'schema.prisma expects "conversations_genesys_conversation_id_idx"',
        ],
      ],
      ['a table the schema does not have', 'CREATE TABLE "audit" ("id" INTEGER PRIMARY KEY)', ['table "audit": exists in the database but not in schema.prisma']],
      ['a dropped table', 'DROP TABLE "messages"', ['table "messages": missing from the database']],
    ])('reports %s', async (_name, sql, expectedDifferences) => {
      expect(await differencesAfter(sql)).toEqual(expectedDifferences);
    });

    it('and reports nothing once every change is rolled back', async () => {
      expect(diffShapes(expected, await withClient(drifted.url, actualShape))).toEqual([]);
    });
  });
});

import { getDmmfDatamodel, PrismaSchemaError } from './prisma-schema-wasm.js';
import {
  actualShapeFromCatalog,
  canonicalDefault,
  diffShapes,
  expectedShapeFromDmmf,
  formatDriftReport,
  maskSchemaText,
  prismaForeignKeyName,
  prismaIndexName,
  prismaOperatorClassToSql,
  prismaPrimaryKeyName,
  scanSchemaText,
  SchemaDriftUnsupportedError,
  type CatalogRows,
  type DbShape,
  type TableShape,
} from './schema-drift.js';

const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n';

function expectedFrom(schema: string): DbShape {
  return expectedShapeFromDmmf(getDmmfDatamodel(schema), scanSchemaText(schema));
}

describe('getDmmfDatamodel (Prisma schema wasm)', () => {
  it('parses a schema with Prisma’s own parser', () => {
    const datamodel = getDmmfDatamodel(`${DATASOURCE}\nmodel A {\n  id Int @id\n  @@map("as")\n}\n`);
    expect(datamodel.models.map((m) => [m.name, m.dbName])).toEqual([['A', 'as']]);
  });

  it('throws Prisma’s validation error for an invalid schema', () => {
    let caught: unknown;
    try {
      getDmmfDatamodel(`${DATASOURCE}\nmodel A {\n  id Nope @id\n}\n`);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PrismaSchemaError);
    expect((caught as PrismaSchemaError).code).toBe('P1012');
    expect((caught as PrismaSchemaError).message).toContain('Nope');
  });
});

describe('Prisma default constraint names', () => {
  it('follows {table}_pkey and {table}_{columns}_key|_idx|_fkey', () => {
    expect(prismaPrimaryKeyName('messages')).toBe('messages_pkey');
    expect(prismaIndexName('messages', ['channel_id', 'chat_id'], true)).toBe('messages_channel_id_chat_id_key');
    expect(prismaIndexName('messages', ['created_at'], false)).toBe('messages_created_at_idx');
    expect(prismaForeignKeyName('messages', ['channel_id'])).toBe('messages_channel_id_fkey');
  });

  it('truncates to PostgreSQL’s 63 bytes before the suffix, never inside a UTF-8 character', () => {
    const table = 'a'.repeat(40);
    expect(prismaIndexName(table, ['b'.repeat(30)], true)).toBe(`${table}_${'b'.repeat(18)}_key`);
    expect(prismaIndexName(table, ['b'.repeat(30)], true)).toHaveLength(63);
    expect(prismaPrimaryKeyName('t'.repeat(70))).toBe(`${'t'.repeat(58)}_pkey`);
    // 'ü' is two bytes: 58 bytes is exactly 29 of them.
    expect(prismaForeignKeyName('ü'.repeat(40), ['x'])).toBe(`${'ü'.repeat(29)}_fkey`);
    expect(prismaForeignKeyName(`a${'ü'.repeat(40)}`, ['x'])).toBe(`a${'ü'.repeat(28)}_fkey`);
  });
});

describe('scanSchemaText', () => {
  it('masks comments and string contents without moving offsets', () => {
    const text = 'a "b // c" // d "e"\nf "g\\"h" i';
    const masked = maskSchemaText(text);
    expect(masked).toHaveLength(text.length);
    expect(masked).toBe(`a "${' '.repeat(6)}"${' '.repeat(9)}\nf "${' '.repeat(4)}" i`);
  });

  it('finds @relation(map: ...) names, ignoring comments and look-alikes inside strings', () => {
    const facts = scanSchemaText(`${DATASOURCE}
// model Fake {
model Post {
  id       Int    @id
  authorId Int
  editorId Int
  note     String @default("map: \\"nope\\", ) {")
  // author User @relation(fields: [authorId], references: [id], map: "commented_out")
  author   User   @relation("authored", fields: [authorId], references: [id], onDelete: Cascade, map: "post_author_fk")
  editor   User   @relation("edited", fields: [editorId], references: [id]) // map: "nope"
}
`);
    expect(facts).toEqual({ foreignKeyNames: { 'Post.author': 'post_author_fk' }, unsupported: [] });
  });

  it('lists the constructs DMMF drops or this check does not model', () => {
    const facts = scanSchemaText(`datasource db {
  provider     = "postgresql"
  relationMode = "prisma"
}

model A {
  id  Int                      @id
  ts  Unsupported("tsvector")?
  old String                   @ignore
}

model B {
  id Int @id

  @@ignore
}

view V {
  id Int @unique
}
`);
    expect(facts.unsupported).toEqual([
      'datasource db (line 3): relationMode = "prisma" is not modelled',
      'field A.ts (line 8): Unsupported(...) types are not in DMMF',
      'field A.old (line 9): @ignore fields are not in DMMF',
      'model B (line 15): @@ignore models are not in DMMF',
      'view V (line 18): views are not compared',
    ]);
    expect(scanSchemaText(`datasource db {\n  provider     = "postgresql"\n  relationMode = "foreignKeys"\n}\n`).unsupported).toEqual([]);
  });
});

describe('expectedShapeFromDmmf', () => {
  it('maps models, native types, lists, enums, defaults, indexes and relations to PostgreSQL', () => {
    const shape = expectedFrom(`${DATASOURCE}
enum Color {
  red   @map("RED")
  green

  @@map("colors")
}

model Parent {
  id    Int     @id @default(autoincrement())
  code  String  @unique(map: "parent_code_uq") @db.Char(3)
  kids  Child[] @relation("kids")
  owned Child[] @relation("owned")

  @@map("parents")
}

model Child {
  id       String    @id @default(uuid()) @db.Uuid
  parentId Int?      @map("parent_id")
  ownerId  Int       @map("owner_id")
  color    Color     @default(red)
  tags     String[]  @default([])
  price    Decimal   @default(1.50) @db.Decimal(10, 2)
  ratio    Float     @default(-0.5)
  label    String    @default("it's")
  data     Json?     @default("{}")
  seenAt   DateTime  @default(now()) @map("seen_at")
  at       DateTime? @db.Timestamptz
  token    String    @default(dbgenerated("(gen_random_uuid())::text"))
  touched  DateTime  @updatedAt
  parent   Parent?   @relation("kids", fields: [parentId], references: [id])
  owner    Parent    @relation("owned", fields: [ownerId], references: [id], onDelete: Cascade, map: "child_owner_fk")

  @@unique([ownerId, seenAt(sort: Desc)])
  @@index([data(ops: JsonbPathOps)], type: Gin)
  @@index([ratio], type: Hash, map: "child_ratio_hash")
}
`);
    expect(shape.enums).toEqual([{ name: 'colors', labels: ['RED', 'green'] }]);
    expect(shape.tables.map((t) => t.name)).toEqual(['Child', 'parents']);
    const [child, parents] = shape.tables as [TableShape, TableShape];
    expect(child.columns).toEqual([
      { name: 'id', type: 'uuid', nullable: false, default: null },
      { name: 'parent_id', type: 'integer', nullable: true, default: null },
      { name: 'owner_id', type: 'integer', nullable: false, default: null },
      { name: 'color', type: 'colors', nullable: false, default: "'RED'" },
      { name: 'tags', type: 'text[]', nullable: true, default: null, defaultCheck: 'presence' },
      { name: 'price', type: 'numeric(10,2)', nullable: false, default: '1.5' },
      { name: 'ratio', type: 'double precision', nullable: false, default: '-0.5' },
      { name: 'label', type: 'text', nullable: false, default: "'it''s'" },
      { name: 'data', type: 'jsonb', nullable: true, default: null, defaultCheck: 'presence' },
      { name: 'seen_at', type: 'timestamp(3) without time zone', nullable: false, default: 'now()' },
      { name: 'at', type: 'timestamp with time zone', nullable: true, default: null },
      { name: 'token', type: 'text', nullable: false, default: '(gen_random_uuid())::text' },
      { name: 'touched', type: 'timestamp(3) without time zone', nullable: false, default: null },
    ]);
    expect(child.primaryKey).toEqual({ name: 'Child_pkey', columns: ['id'] });
    expect(child.indexes).toEqual([
      { name: 'Child_data_idx', unique: false, method: 'gin', columns: [{ name: 'data', descending: false, opclass: 'jsonb_path_ops' }] },
      {
        name: 'Child_owner_id_seen_at_key',
        unique: true,
        method: 'btree',
        columns: [
          { name: 'owner_id', descending: false },
          { name: 'seen_at', descending: true },
        ],
      },
      { name: 'child_ratio_hash', unique: false, method: 'hash', columns: [{ name: 'ratio', descending: false }] },
    ]);
    expect(child.foreignKeys).toEqual([
      // Prisma's defaults for an optional relation: SET NULL / CASCADE.
      { name: 'Child_parent_id_fkey', columns: ['parent_id'], referencedTable: 'parents', referencedColumns: ['id'], onDelete: 'SET NULL', onUpdate: 'CASCADE' },
      { name: 'child_owner_fk', columns: ['owner_id'], referencedTable: 'parents', referencedColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'CASCADE' },
    ]);
    expect(parents).toEqual({
      name: 'parents',
      columns: [
        { name: 'id', type: 'integer', nullable: false, default: 'autoincrement()' },
        { name: 'code', type: 'character(3)', nullable: false, default: null },
      ],
      primaryKey: { name: 'parents_pkey', columns: ['id'] },
      indexes: [{ name: 'parent_code_uq', unique: true, method: 'btree', columns: [{ name: 'code', descending: false }] }],
      foreignKeys: [],
    });
  });

  it('defaults a required relation to ON DELETE RESTRICT and names composite keys', () => {
    const shape = expectedFrom(`${DATASOURCE}
model A {
  x  Int
  y  String @db.VarChar(8)
  bs B[]

  @@id([x, y])
}

model B {
  id Int    @id
  ax Int
  ay String @db.VarChar(8)
  a  A      @relation(fields: [ax, ay], references: [x, y])
}
`);
    const [a, b] = shape.tables as [TableShape, TableShape];
    expect(a.primaryKey).toEqual({ name: 'A_pkey', columns: ['x', 'y'] });
    expect(b.foreignKeys).toEqual([
      { name: 'B_ax_ay_fkey', columns: ['ax', 'ay'], referencedTable: 'A', referencedColumns: ['x', 'y'], onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
    ]);
  });

  it('refuses what it cannot compare instead of guessing', () => {
    const manyToMany = `${DATASOURCE}
model A {
  id Int @id
  bs B[]
}

model B {
  id Int @id
  as A[]
}
`;
    expect(() => expectedFrom(manyToMany)).toThrow(SchemaDriftUnsupportedError);
    expect(() => expectedFrom(manyToMany)).toThrow(/implicit many-to-many relations \(join table _AToB\)/);

    const ignored = `${DATASOURCE}\nmodel A {\n  id  Int    @id\n  old String @ignore\n}\n`;
    expect(() => expectedFrom(ignored)).toThrow(/field A\.old \(line 7\): @ignore fields are not in DMMF/);
  });
});

describe('prismaOperatorClassToSql', () => {
  it.each([
    ['JsonbPathOps', 'jsonb_path_ops'],
    ['JsonbOps', 'jsonb_ops'],
    ['Int4MinMaxMultiOps', 'int4_minmax_multi_ops'],
    ['TimestampTzBloomOps', 'timestamptz_bloom_ops'],
    ['VarBitOps', 'varbit_ops'],
    ['TextPatternOps', 'text_pattern_ops'],
  ])('%s → %s', (prisma, sql) => {
    expect(prismaOperatorClassToSql(prisma)).toBe(sql);
  });
});

describe('canonicalDefault', () => {
  it.each<[string | null, string | null]>([
    [null, null],
    ["nextval('messages_id_seq'::regclass)", 'autoincrement()'],
    ['CURRENT_TIMESTAMP', 'now()'],
    ['now()', 'now()'],
    ["'m'::character varying", "'m'"],
    ["'pending'::\"MessageStatus\"", "'pending'"],
    ["'it''s'::text", "'it''s'"],
    ["'a::b'::text", "'a::b'"],
    ["'-1'::integer", '-1'],
    ['(-1)', '-1'],
    ['1.50', '1.5'],
    ['007', '7'],
    ['FALSE', 'false'],
    ['gen_random_uuid()', 'gen_random_uuid()'],
    ['(gen_random_uuid())::text', '(gen_random_uuid())::text'],
  ])('%p → %p', (sql, canonical) => {
    expect(canonicalDefault(sql)).toBe(canonical);
  });
});

type ColumnRow = CatalogRows['columns'][number];
type IndexRow = CatalogRows['indexes'][number];

function columnRow(table: string, name: string, position: number, type: string, extra: Partial<ColumnRow> = {}): ColumnRow {
  return { table_name: table, column_name: name, position, formatted_type: type, type_kind: 'b', type_name: type, element_type_kind: null, element_type_name: null, not_null: false, default_expr: null, ...extra };
}

function indexRow(table: string, index: string, position: number, column: string, extra: Partial<IndexRow> = {}): IndexRow {
  return { table_name: table, index_name: index, is_unique: false, is_primary: false, method: 'btree', predicate: null, position, column_name: column, descending: false, opclass: 'int4_ops', opclass_is_default: true, ...extra };
}

const CATALOG: CatalogRows = {
  tables: [{ table_name: '_prisma_migrations' }, { table_name: 'items' }, { table_name: 'owners' }],
  columns: [
    // out of order on purpose: positions decide
    columnRow('items', 'kind', 2, '"Kind"', { type_kind: 'e', type_name: 'Kind', not_null: true, default_expr: `'a'::"Kind"` }),
    columnRow('items', 'id', 1, 'integer', { not_null: true, default_expr: "nextval('items_id_seq'::regclass)" }),
    columnRow('items', 'kinds', 3, '"Kind"[]', { type_name: '_Kind', element_type_kind: 'e', element_type_name: 'Kind' }),
    columnRow('items', 'owner_id', 4, 'integer'),
    columnRow('items', 'tags', 5, 'text[]', { type_name: '_text', element_type_kind: 'b', element_type_name: 'text', default_expr: 'ARRAY[]::text[]' }),
    columnRow('owners', 'id', 1, 'integer', { not_null: true }),
    columnRow('_prisma_migrations', 'id', 1, 'character varying(36)', { not_null: true }),
  ],
  enums: [
    { enum_name: 'Kind', label: 'a' },
    { enum_name: 'Kind', label: 'b' },
  ],
  indexes: [
    indexRow('items', 'items_owner_id_kind_key', 2, 'kind', { is_unique: true, descending: true, opclass: 'enum_ops' }),
    indexRow('items', 'items_owner_id_kind_key', 1, 'owner_id', { is_unique: true }),
    indexRow('items', 'items_pkey', 1, 'id', { is_unique: true, is_primary: true }),
    indexRow('items', 'items_tags_idx', 1, 'tags', { method: 'gin', opclass: 'array_ops' }),
    indexRow('owners', 'owners_pkey', 1, 'id', { is_unique: true, is_primary: true }),
    indexRow('_prisma_migrations', '_prisma_migrations_pkey', 1, 'id', { is_unique: true, is_primary: true, opclass: 'text_ops' }),
  ],
  foreignKeys: [
    { constraint_name: 'items_owner_id_fkey', table_name: 'items', referenced_table: 'owners', on_delete: 'n', on_update: 'c', columns: ['owner_id'], referenced_columns: ['id'] },
  ],
};

/** What a schema describing CATALOG exactly would produce. */
function matchingExpected(): DbShape {
  return {
    enums: [{ name: 'Kind', labels: ['a', 'b'] }],
    tables: [
      {
        name: 'items',
        columns: [
          { name: 'id', type: 'integer', nullable: false, default: 'autoincrement()' },
          { name: 'kind', type: 'Kind', nullable: false, default: "'a'" },
          { name: 'kinds', type: 'Kind[]', nullable: true, default: null },
          { name: 'owner_id', type: 'integer', nullable: true, default: null },
          { name: 'tags', type: 'text[]', nullable: true, default: null, defaultCheck: 'presence' },
        ],
        primaryKey: { name: 'items_pkey', columns: ['id'] },
        indexes: [
          {
            name: 'items_owner_id_kind_key',
            unique: true,
            method: 'btree',
            columns: [
              { name: 'owner_id', descending: false },
              { name: 'kind', descending: true },
            ],
          },
          { name: 'items_tags_idx', unique: false, method: 'gin', columns: [{ name: 'tags', descending: false }] },
        ],
        foreignKeys: [{ name: 'items_owner_id_fkey', columns: ['owner_id'], referencedTable: 'owners', referencedColumns: ['id'], onDelete: 'SET NULL', onUpdate: 'CASCADE' }],
      },
      { name: 'owners', columns: [{ name: 'id', type: 'integer', nullable: false, default: null }], primaryKey: { name: 'owners_pkey', columns: ['id'] }, indexes: [], foreignKeys: [] },
    ],
  };
}

describe('actualShapeFromCatalog', () => {
  it('groups catalog rows into tables, leaving out _prisma_migrations', () => {
    const actual = actualShapeFromCatalog(CATALOG);
    expect(actual.enums).toEqual([{ name: 'Kind', labels: ['a', 'b'] }]);
    expect(actual.tables.map((t) => t.name)).toEqual(['items', 'owners']);
    const items = actual.tables[0]!;
    expect(items.columns.map((c) => [c.name, c.type, c.nullable, c.default])).toEqual([
      ['id', 'integer', false, "nextval('items_id_seq'::regclass)"],
      ['kind', 'Kind', false, "'a'::\"Kind\""],
      ['kinds', 'Kind[]', true, null],
      ['owner_id', 'integer', true, null],
      ['tags', 'text[]', true, 'ARRAY[]::text[]'],
    ]);
    expect(items.primaryKey).toEqual({ name: 'items_pkey', columns: ['id'] });
    expect(items.indexes[0]).toEqual({
      name: 'items_owner_id_kind_key',
      unique: true,
      method: 'btree',
      columns: [
        { name: 'owner_id', descending: false, opclass: 'int4_ops', opclassIsDefault: true },
        { name: 'kind', descending: true, opclass: 'enum_ops', opclassIsDefault: true },
      ],
    });
    expect(items.foreignKeys[0]).toMatchObject({ onDelete: 'SET NULL', onUpdate: 'CASCADE' });
  });

  it('can be told to ignore other tables', () => {
    expect(actualShapeFromCatalog(CATALOG, { ignoreTables: ['owners'] }).tables.map((t) => t.name)).toEqual(['_prisma_migrations', 'items']);
  });
});

describe('diffShapes', () => {
  const actual = () => actualShapeFromCatalog(CATALOG);

  it('reports nothing when the shapes agree (defaults and default operator classes normalised)', () => {
    expect(diffShapes(matchingExpected(), actual())).toEqual([]);
  });

  it('reports missing, extra and different tables, columns and enums', () => {
    const expected = matchingExpected();
    const items = expected.tables[0]!;
    expected.enums = [
      { name: 'Kind', labels: ['a', 'c'] },
      { name: 'Mood', labels: ['calm'] },
    ];
    items.columns = [
      { name: 'id', type: 'bigint', nullable: false, default: 'autoincrement()' },
      { name: 'kind', type: 'Kind', nullable: true, default: "'b'" },
      { name: 'kinds', type: 'Kind[]', nullable: true, default: null },
      { name: 'tags', type: 'text[]', nullable: true, default: null },
      { name: 'title', type: 'character varying(64)', nullable: false, default: null },
    ];
    expected.tables.push({ name: 'zebras', columns: [], primaryKey: null, indexes: [], foreignKeys: [] });
    expected.tables = expected.tables.filter((t) => t.name !== 'owners');

    expect(diffShapes(expected, actual())).toEqual([
      'enum "Kind": label "c" missing from the database',
      'enum "Kind": label "b" exists in the database but not in schema.prisma',
      'enum "Mood": missing from the database (schema.prisma expects calm)',
      'column "items"."id": type is integer in the database, schema.prisma expects bigint',
      'column "items"."kind": NOT NULL in the database, schema.prisma expects nullable',
      `column "items"."kind": default is 'a'::"Kind" in the database, schema.prisma expects 'b'`,
      'column "items"."tags": default is ARRAY[]::text[] in the database, schema.prisma expects none',
      'column "items"."title": missing from the database (schema.prisma expects character varying(64) NOT NULL)',
      'column "items"."owner_id": exists in the database but not in schema.prisma (integer nullable)',
      'table "zebras": missing from the database',
      'table "owners": exists in the database but not in schema.prisma',
    ]);
  });

  it('checks only presence, or nothing, where the schema cannot say the exact default', () => {
    const expected = matchingExpected();
    const rows: CatalogRows = { ...CATALOG, columns: CATALOG.columns.map((c) => (c.column_name === 'tags' ? { ...c, default_expr: null } : c)) };
    expect(diffShapes(expected, actualShapeFromCatalog(rows))).toEqual(['column "items"."tags": has no default in the database, schema.prisma expects one']);
    expected.tables[0]!.columns[4]!.defaultCheck = 'skip';
    expect(diffShapes(expected, actualShapeFromCatalog(rows))).toEqual([]);
  });

  it('reports primary key, index and foreign key differences, and names that differ', () => {
    const expected = matchingExpected();
    const items = expected.tables[0]!;
    items.primaryKey = { name: 'items_pkey', columns: ['id', 'kind'] };
    items.indexes = [
      { name: 'items_by_owner', unique: true, method: 'btree', columns: [{ name: 'owner_id', descending: false }, { name: 'kind', descending: true }] },
      { name: 'items_kind_idx', unique: false, method: 'btree', columns: [{ name: 'kind', descending: false }] },
      { name: 'items_tags_idx', unique: false, method: 'gin', columns: [{ name: 'tags', descending: false, opclass: 'array_path_ops' }] },
    ];
    items.foreignKeys = [{ ...items.foreignKeys[0]!, onDelete: 'CASCADE' }];
    expected.tables[1]!.primaryKey = null;

    expect(diffShapes(expected, actual())).toEqual([
      'primary key of "items": database has PRIMARY KEY "items_pkey" (id), schema.prisma expects PRIMARY KEY "items_pkey" (id, kind)',
      'index "items_tags_idx" on "items": database has gin (tags), schema.prisma expects gin (tags array_path_ops)',
      'index on "items" UNIQUE btree (owner_id, kind DESC): named "items_owner_id_kind_key" in the database, schema.prisma expects "items_by_owner"',
      'index "items_kind_idx" on "items": missing from the database (schema.prisma expects btree (kind))',
      'foreign key "items_owner_id_fkey" on "items": database has (owner_id) REFERENCES owners (id) ON DELETE SET NULL ON UPDATE CASCADE, ' +
        'schema.prisma expects (owner_id) REFERENCES owners (id) ON DELETE CASCADE ON UPDATE CASCADE',
      'primary key of "owners": database has PRIMARY KEY "owners_pkey" (id), schema.prisma expects no primary key',
    ]);
  });

  it('treats a non-default operator class, a partial index or an extra foreign key as drift', () => {
    const rows: CatalogRows = {
      ...CATALOG,
      indexes: CATALOG.indexes.map((row) =>
        row.index_name === 'items_tags_idx' ? { ...row, opclass: 'array_path_ops', opclass_is_default: false, predicate: '(owner_id IS NOT NULL)' } : row,
      ),
      foreignKeys: [
        ...CATALOG.foreignKeys,
        { constraint_name: 'owners_id_fkey', table_name: 'owners', referenced_table: 'items', on_delete: 'a', on_update: 'a', columns: ['id'], referenced_columns: ['id'] },
      ],
    };
    expect(diffShapes(matchingExpected(), actualShapeFromCatalog(rows))).toEqual([
      'index "items_tags_idx" on "items": database has gin (tags array_path_ops) WHERE (owner_id IS NOT NULL), schema.prisma expects gin (tags)',
      'foreign key "owners_id_fkey" on "owners": exists in the database but not in schema.prisma ((id) REFERENCES items (id) ON DELETE NO ACTION ON UPDATE NO ACTION)',
    ]);
  });

  it('formats a readable failure message', () => {
    expect(formatDriftReport(['table "a": missing from the database', 'enum "B": exists in the database but not in schema.prisma (x)'])).toBe(
      [
        'The migrated database differs from prisma/schema.prisma in 2 way(s):',
        '  - table "a": missing from the database',
        '  - enum "B": exists in the database but not in schema.prisma (x)',
        'Add a migration under prisma/migrations/ (or fix schema.prisma) so both describe the same database.',
      ].join('\n'),
    );
  });
});

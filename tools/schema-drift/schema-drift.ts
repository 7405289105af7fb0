/**
 * Schema drift: does the database our hand-written migrations produce match prisma/schema.prisma?
 *
 * Prisma's `migrate diff` would answer that, but it needs the native schema engine, which cannot be
 * downloaded here. So the comparison is done in three pure steps, all in this file:
 *
 *  1. expected shape — from Prisma's DMMF datamodel (`getDmmfDatamodel` in prisma-schema-wasm.ts runs
 *     Prisma's own parser), plus `scanSchemaText` for the two things DMMF does not carry: foreign key
 *     names given with `@relation(map: ...)`, and constructs DMMF silently drops (views, `@ignore`,
 *     `Unsupported(...)`), which this check refuses rather than mis-compares;
 *  2. actual shape — from pg_catalog rows (`CATALOG_QUERIES`, `actualShapeFromCatalog`);
 *  3. `diffShapes` — a readable list of differences, empty when they match.
 *
 * Compared: tables, columns (type incl. native type, nullability, default), enums (label sets),
 * primary keys, unique and plain indexes (name, columns, order, method, operator class), foreign keys
 * (name, columns, referenced table/columns, ON DELETE/ON UPDATE). Constraint names follow Prisma's
 * PostgreSQL defaults (`{table}_pkey`, `{table}_{cols}_key|_idx|_fkey`, truncated to 63 bytes)
 * unless the schema gives `map:`. Not compared: check constraints, sequences, triggers, views,
 * functions, extensions, comments, enum label order, column order, and objects outside the current
 * schema (multiSchema is refused). Only the PostgreSQL provider is understood.
 */

// ------------------------------------------------------------------------------------------------
// DMMF: the subset of Prisma's datamodel format read here.

export interface DmmfDatamodel {
  models: readonly DmmfModel[];
  enums: readonly DmmfEnum[];
  indexes: readonly DmmfIndex[];
}

export interface DmmfModel {
  name: string;
  dbName: string | null;
  schema?: string | null;
  fields: readonly DmmfField[];
}

export type DmmfDefault = { name: string; args: readonly unknown[] } | string | number | boolean | readonly unknown[];

export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  type: string;
  nativeType?: readonly [string, readonly string[]] | null;
  default?: DmmfDefault;
  relationName?: string;
  relationFromFields?: readonly string[];
  relationToFields?: readonly string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

export interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: readonly { name: string; dbName: string | null }[];
}

export interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string;
  algorithm?: string;
  fields: readonly { name: string; sortOrder?: 'asc' | 'desc'; operatorClass?: string }[];
}

// ------------------------------------------------------------------------------------------------
// The shape compared on both sides.

export interface DbShape {
  enums: EnumShape[];
  tables: TableShape[];
}

export interface EnumShape {
  name: string;
  labels: string[];
}

export interface TableShape {
  name: string;
  columns: ColumnShape[];
  primaryKey: PrimaryKeyShape | null;
  indexes: IndexShape[];
  foreignKeys: ForeignKeyShape[];
}

export interface ColumnShape {
  name: string;
  /** As PostgreSQL's format_type() prints it; enum types by bare name; lists end in `[]`. */
  type: string;
  nullable: boolean;
  /** The default expression (null: none). Compared after `canonicalDefault` on both sides. */
  default: string | null;
  /** Expected side only: `presence` checks only that a default exists, `skip` checks nothing. */
  defaultCheck?: 'presence' | 'skip';
}

export interface PrimaryKeyShape {
  name: string;
  columns: string[];
}

export interface IndexShape {
  name: string;
  unique: boolean;
  /** Access method: btree, hash, gin, gist, brin, spgist. */
  method: string;
  columns: IndexColumnShape[];
  /** Partial-index predicate (actual side); Prisma schemas never declare one. */
  predicate?: string | null;
}

export interface IndexColumnShape {
  /** Column name; null for an expression. */
  name: string | null;
  descending: boolean;
  /** Operator class: expected side only when the schema names one; actual side always. */
  opclass?: string;
  /** Actual side: whether `opclass` is the type's default for the access method. */
  opclassIsDefault?: boolean;
}

export interface ForeignKeyShape {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  /** SQL spelling: CASCADE, RESTRICT, NO ACTION, SET NULL, SET DEFAULT. */
  onDelete: string;
  onUpdate: string;
}

/** The schema uses something this check cannot compare faithfully. */
export class SchemaDriftUnsupportedError extends Error {
  override readonly name = 'SchemaDriftUnsupportedError';
  constructor(readonly problems: readonly string[]) {
    super(`schema-drift cannot check this schema:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

// ------------------------------------------------------------------------------------------------
// Prisma's default constraint names (psl-core ConstraintNames, PostgreSQL: 63-byte identifiers).

const MAX_IDENTIFIER_BYTES = 63;

function truncateBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1; // never split a UTF-8 sequence
  return bytes.subarray(0, end).toString('utf8');
}

function withSuffix(base: string, suffix: string): string {
  const limit = MAX_IDENTIFIER_BYTES - suffix.length;
  return `${Buffer.byteLength(base) >= limit ? truncateBytes(base, limit) : base}${suffix}`;
}

export function prismaPrimaryKeyName(table: string): string {
  return withSuffix(table, '_pkey');
}

export function prismaIndexName(table: string, columns: readonly string[], unique: boolean): string {
  return withSuffix(`${table}_${columns.join('_')}`, unique ? '_key' : '_idx');
}

export function prismaForeignKeyName(table: string, columns: readonly string[]): string {
  return withSuffix(`${table}_${columns.join('_')}`, '_fkey');
}

// ------------------------------------------------------------------------------------------------
// Schema text: what DMMF does not say.

export interface SchemaTextFacts {
  /** `@relation(..., map: "name")`, keyed `Model.field`. */
  foreignKeyNames: Record<string, string>;
  /** Constructs DMMF drops or this check does not model, with their line numbers. */
  unsupported: string[];
}

/**
 * Same-length copy of a schema with comments blanked and string contents replaced by spaces (quotes
 * kept), so braces, parentheses, commas and keywords can be found with plain scans and every offset
 * still points into the original text.
 */
export function maskSchemaText(text: string): string {
  let out = '';
  let state: 'code' | 'string' | 'comment' = 'code';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (state === 'comment') {
      if (ch === '\n') {
        state = 'code';
        out += ch;
      } else {
        out += ' ';
      }
    } else if (state === 'string') {
      if (ch === '\\' && i + 1 < text.length && text[i + 1] !== '\n') {
        out += '  ';
        i += 1;
      } else if (ch === '"' || ch === '\n') {
        state = 'code';
        out += ch;
      } else {
        out += ' ';
      }
    } else if (ch === '/' && text[i + 1] === '/') {
      state = 'comment';
      out += ' ';
    } else {
      if (ch === '"') state = 'string';
      out += ch;
    }
  }
  return out;
}

function matchingClose(masked: string, openIndex: number, open: string, close: string): number {
  let depth = 0;
  for (let i = openIndex; i < masked.length; i += 1) {
    if (masked[i] === open) depth += 1;
    else if (masked[i] === close && --depth === 0) return i;
  }
  return -1;
}

/** Splits `a, b(c, d), [e, f]` at top-level commas; offsets come from the masked copy. */
function splitTopLevel(original: string, masked: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < masked.length; i += 1) {
    const ch = masked[i];
    if (ch === '(' || ch === '[' || ch === '{') depth += 1;
    else if (ch === ')' || ch === ']' || ch === '}') depth -= 1;
    else if (ch === ',' && depth === 0) {
      parts.push(original.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(original.slice(start).trim());
  return parts.filter((part) => part.length > 0);
}

/**
 * A deliberately small scan of a schema Prisma has already validated (run `getDmmfDatamodel`
 * first). It reads block headers (`model X {`), field names at the start of lines, and
 * `@relation(...)` arguments; it does not otherwise understand the grammar.
 */
export function scanSchemaText(text: string): SchemaTextFacts {
  const masked = maskSchemaText(text);
  const lineOf = (offset: number) => masked.slice(0, offset).split('\n').length;
  const facts: SchemaTextFacts = { foreignKeyNames: {}, unsupported: [] };
  const header = /^[ \t]*(model|view|enum|type|generator|datasource)[ \t]+([A-Za-z_]\w*)\s*\{/gm;
  for (let match = header.exec(masked); match; match = header.exec(masked)) {
    const [, kind, name] = match as unknown as [string, string, string];
    const open = match.index + match[0].length - 1;
    const close = matchingClose(masked, open, '{', '}');
    if (close < 0) break;
    const where = `line ${lineOf(match.index)}`;
    const body = masked.slice(open + 1, close);
    const bodyOffset = open + 1;
    if (kind === 'view') facts.unsupported.push(`view ${name} (${where}): views are not compared`);
    if (kind === 'type') facts.unsupported.push(`type ${name} (${where}): composite types are not compared`);
    if (kind === 'datasource') {
      for (const setting of body.matchAll(/\b(relationMode|extensions|schemas)\s*=/g)) {
        const value = text.slice(bodyOffset + setting.index).split('\n')[0]!.replace(/^\w+\s*=\s*/, '').trim();
        if (setting[1] !== 'relationMode' || /"prisma"/.test(value)) {
          facts.unsupported.push(`datasource ${name} (line ${lineOf(bodyOffset + setting.index)}): ${setting[1]} = ${value} is not modelled`);
        }
      }
    }
    if (kind !== 'model') {
      header.lastIndex = close + 1;
      continue;
    }
    let lineStart = bodyOffset;
    for (const maskedLine of body.split('\n')) {
      const line = lineOf(lineStart);
      const originalLine = text.slice(lineStart, lineStart + maskedLine.length);
      const field = /^\s*([A-Za-z_]\w*)\s+\S/.exec(maskedLine)?.[1];
      if (/@@ignore\b/.test(maskedLine)) facts.unsupported.push(`model ${name} (line ${line}): @@ignore models are not in DMMF`);
      if (/@@schema\s*\(/.test(maskedLine)) facts.unsupported.push(`model ${name} (line ${line}): @@schema (multiSchema) is not compared`);
      if (field && /(^|[^@])@ignore\b/.test(maskedLine)) facts.unsupported.push(`field ${name}.${field} (line ${line}): @ignore fields are not in DMMF`);
      if (field && /\bUnsupported\s*\(/.test(maskedLine)) facts.unsupported.push(`field ${name}.${field} (line ${line}): Unsupported(...) types are not in DMMF`);
      const relation = /@relation\s*\(/.exec(maskedLine);
      if (field && relation) {
        const argsOpen = relation.index + relation[0].length - 1;
        const argsClose = matchingClose(maskedLine, argsOpen, '(', ')');
        const args = splitTopLevel(originalLine.slice(argsOpen + 1, argsClose), maskedLine.slice(argsOpen + 1, argsClose));
        for (const arg of args) {
          const map = /^map\s*:\s*("(?:[^"\\]|\\.)*")$/.exec(arg);
          if (map) facts.foreignKeyNames[`${name}.${field}`] = JSON.parse(map[1]!) as string;
        }
      }
      lineStart += maskedLine.length + 1;
    }
    header.lastIndex = close + 1;
  }
  return facts;
}

// ------------------------------------------------------------------------------------------------
// Expected shape from DMMF.

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Boolean: 'boolean',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

const withLength = (sqlName: string, fallback?: string) => (args: readonly string[]) => (args.length ? `${sqlName}(${args.join(',')})` : (fallback ?? sqlName));
const withPrecision = (suffix: string) => (base: string) => (args: readonly string[]) => (args.length ? `${base}(${args[0]}) ${suffix}` : `${base} ${suffix}`);
const withoutTz = withPrecision('without time zone');
const withTz = withPrecision('with time zone');

/** `@db.X(args)` → format_type() spelling. */
const NATIVE_TYPES: Record<string, (args: readonly string[]) => string> = {
  Text: () => 'text',
  VarChar: withLength('character varying'),
  Char: withLength('character', 'character(1)'),
  Bit: withLength('bit', 'bit(1)'),
  VarBit: withLength('bit varying'),
  Uuid: () => 'uuid',
  Xml: () => 'xml',
  Inet: () => 'inet',
  Citext: () => 'citext',
  Oid: () => 'oid',
  Boolean: () => 'boolean',
  Integer: () => 'integer',
  SmallInt: () => 'smallint',
  BigInt: () => 'bigint',
  Real: () => 'real',
  DoublePrecision: () => 'double precision',
  Decimal: withLength('numeric'),
  Money: () => 'money',
  Timestamp: withoutTz('timestamp'),
  Timestamptz: withTz('timestamp'),
  Date: () => 'date',
  Time: withoutTz('time'),
  Timetz: withTz('time'),
  Json: () => 'json',
  JsonB: () => 'jsonb',
  ByteA: () => 'bytea',
};

const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

const INDEX_METHODS: Record<string, string> = { BTree: 'btree', Hash: 'hash', Gin: 'gin', Gist: 'gist', SpGist: 'spgist', Brin: 'brin' };

/** Prisma operator class enum (`JsonbPathOps`) → PostgreSQL name (`jsonb_path_ops`). */
export function prismaOperatorClassToSql(name: string): string {
  return name
    .replace(/TimestampTz/g, 'Timestamptz')
    .replace(/TimeTz/g, 'Timetz')
    .replace(/VarBit/g, 'Varbit')
    .replace(/MacAddr/g, 'Macaddr')
    .replace(/MinMax/g, 'Minmax')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Builds what the database should look like from Prisma's parsed schema. `facts` must come from
 * `scanSchemaText` of the same schema text: without it, views would be taken for tables and
 * `@ignore`d or `Unsupported` columns would be reported as extra.
 */
export function expectedShapeFromDmmf(datamodel: DmmfDatamodel, facts: SchemaTextFacts): DbShape {
  const problems = [...facts.unsupported];
  const enums = new Map(datamodel.enums.map((e) => [e.name, e]));
  const models = new Map(datamodel.models.map((m) => [m.name, m]));
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  const columnOf = (field: DmmfField) => field.dbName ?? field.name;
  const fieldOf = (model: DmmfModel, name: string): DmmfField => {
    const field = model.fields.find((f) => f.name === name);
    if (!field) throw new Error(`DMMF: model ${model.name} has no field ${name}`);
    return field;
  };

  for (const model of datamodel.models) {
    if (model.schema) problems.push(`model ${model.name}: @@schema("${model.schema}") (multiSchema) is not compared`);
    for (const field of model.fields) {
      if (field.kind === 'unsupported') problems.push(`field ${model.name}.${field.name}: Unsupported types are not compared`);
      if (field.kind === 'object' && field.isList) {
        const target = models.get(field.type);
        const back = target?.fields.find((f) => f.kind === 'object' && f.relationName === field.relationName && f !== field);
        if (back?.isList) problems.push(`field ${model.name}.${field.name}: implicit many-to-many relations (join table _${field.relationName}) are not compared; model the join table explicitly`);
      }
    }
  }
  for (const index of datamodel.indexes) {
    if (index.type === 'fulltext') problems.push(`model ${index.model}: @@fulltext indexes are not supported on PostgreSQL`);
  }
  if (problems.length) throw new SchemaDriftUnsupportedError([...new Set(problems)]);

  const expectedDefault = (model: DmmfModel, field: DmmfField): Pick<ColumnShape, 'default' | 'defaultCheck'> => {
    const value = field.default;
    if (!field.hasDefaultValue || value === undefined) return { default: null };
    if (typeof value === 'object' && !Array.isArray(value) && 'name' in value) {
      const fn = value as { name: string; args: readonly unknown[] };
      switch (fn.name) {
        case 'now':
          return { default: 'now()' };
        case 'autoincrement':
          return { default: 'autoincrement()' };
        case 'uuid':
        case 'cuid':
        case 'nanoid':
        case 'ulid':
          return { default: null }; // generated by Prisma Client, not by the database
        case 'dbgenerated':
          return typeof fn.args[0] === 'string' ? { default: fn.args[0] } : { default: null, defaultCheck: 'skip' };
        default:
          throw new SchemaDriftUnsupportedError([`field ${model.name}.${field.name}: @default(${fn.name}()) is not understood`]);
      }
    }
    if (field.isList || Array.isArray(value)) return { default: null, defaultCheck: 'presence' };
    if (field.kind === 'enum') {
      const label = enums.get(field.type)?.values.find((v) => v.name === value);
      return { default: quoteLiteral(label?.dbName ?? String(value)) };
    }
    switch (field.type) {
      case 'String':
        return { default: quoteLiteral(String(value)) };
      case 'Int':
      case 'BigInt':
      case 'Float':
      case 'Decimal':
      case 'Boolean':
        return { default: String(value) };
      default:
        // DateTime/Json/Bytes literals come back from PostgreSQL re-formatted; only presence is checked.
        return { default: null, defaultCheck: 'presence' };
    }
  };

  const columnType = (model: DmmfModel, field: DmmfField): string => {
    let base: string | undefined;
    if (field.kind === 'enum') {
      const e = enums.get(field.type);
      base = e ? (e.dbName ?? e.name) : undefined;
    } else if (field.nativeType) {
      base = NATIVE_TYPES[field.nativeType[0]]?.(field.nativeType[1]);
      if (!base) throw new SchemaDriftUnsupportedError([`field ${model.name}.${field.name}: native type @db.${field.nativeType[0]} is not mapped`]);
    } else {
      base = SCALAR_TYPES[field.type];
    }
    if (!base) throw new SchemaDriftUnsupportedError([`field ${model.name}.${field.name}: type ${field.type} is not mapped`]);
    return field.isList ? `${base}[]` : base;
  };

  const tables: TableShape[] = datamodel.models.map((model) => {
    const table = tableOf(model);
    const columns: ColumnShape[] = model.fields
      .filter((field) => field.kind === 'scalar' || field.kind === 'enum')
      .map((field) => ({
        name: columnOf(field),
        type: columnType(model, field),
        // Prisma renders scalar lists without NOT NULL.
        nullable: !field.isRequired || field.isList,
        ...expectedDefault(model, field),
      }));

    let primaryKey: PrimaryKeyShape | null = null;
    const indexes: IndexShape[] = [];
    for (const index of datamodel.indexes.filter((i) => i.model === model.name)) {
      const fields = index.fields.map((f) => ({ field: fieldOf(model, f.name), spec: f }));
      const names = fields.map(({ field }) => columnOf(field));
      if (index.type === 'id') {
        primaryKey = { name: index.dbName ?? prismaPrimaryKeyName(table), columns: names };
        continue;
      }
      const unique = index.type === 'unique';
      const method = index.algorithm ? INDEX_METHODS[index.algorithm] : 'btree';
      if (!method) throw new SchemaDriftUnsupportedError([`model ${model.name}: index type ${index.algorithm} is not mapped`]);
      indexes.push({
        name: index.dbName ?? prismaIndexName(table, names, unique),
        unique,
        method,
        columns: fields.map(({ field, spec }) => ({
          name: columnOf(field),
          descending: spec.sortOrder === 'desc',
          ...(spec.operatorClass ? { opclass: prismaOperatorClassToSql(spec.operatorClass) } : {}),
        })),
      });
    }

    const foreignKeys: ForeignKeyShape[] = model.fields
      .filter((field) => field.kind === 'object' && (field.relationFromFields?.length ?? 0) > 0)
      .map((field) => {
        const target = models.get(field.type);
        if (!target) throw new Error(`DMMF: relation ${model.name}.${field.name} points at unknown model ${field.type}`);
        const from = field.relationFromFields!.map((name) => fieldOf(model, name));
        const columnNames = from.map(columnOf);
        // Prisma's defaults: SET NULL when any FK column is optional, else RESTRICT; ON UPDATE CASCADE.
        const onDelete = field.relationOnDelete ?? (from.some((f) => !f.isRequired) ? 'SetNull' : 'Restrict');
        const onUpdate = field.relationOnUpdate ?? 'Cascade';
        return {
          name: facts.foreignKeyNames[`${model.name}.${field.name}`] ?? prismaForeignKeyName(table, columnNames),
          columns: columnNames,
          referencedTable: tableOf(target),
          referencedColumns: (field.relationToFields ?? []).map((name) => columnOf(fieldOf(target, name))),
          onDelete: REFERENTIAL_ACTIONS[onDelete] ?? onDelete,
          onUpdate: REFERENTIAL_ACTIONS[onUpdate] ?? onUpdate,
        };
      });

    return { name: table, columns, primaryKey, indexes: sortByName(indexes), foreignKeys: sortByName(foreignKeys) };
  });

  return {
    enums: sortByName(datamodel.enums.map((e) => ({ name: e.dbName ?? e.name, labels: e.values.map((v) => v.dbName ?? v.name) }))),
    tables: sortByName(tables),
  };
}

function sortByName<T extends { name: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ------------------------------------------------------------------------------------------------
// Actual shape from pg_catalog.

export interface CatalogTableRow {
  table_name: string;
}
export interface CatalogColumnRow {
  table_name: string;
  column_name: string;
  position: number;
  formatted_type: string;
  type_kind: string;
  type_name: string;
  element_type_kind: string | null;
  element_type_name: string | null;
  not_null: boolean;
  default_expr: string | null;
}
export interface CatalogEnumRow {
  enum_name: string;
  label: string;
}
export interface CatalogIndexRow {
  table_name: string;
  index_name: string;
  is_unique: boolean;
  is_primary: boolean;
  method: string;
  predicate: string | null;
  position: number;
  column_name: string | null;
  descending: boolean;
  opclass: string | null;
  opclass_is_default: boolean | null;
}
export interface CatalogForeignKeyRow {
  constraint_name: string;
  table_name: string;
  referenced_table: string;
  on_delete: string;
  on_update: string;
  columns: string[];
  referenced_columns: string[];
}
export interface CatalogRows {
  tables: CatalogTableRow[];
  columns: CatalogColumnRow[];
  enums: CatalogEnumRow[];
  indexes: CatalogIndexRow[];
  foreignKeys: CatalogForeignKeyRow[];
}

const IN_SCHEMA = (relation: string) => `${relation}.relnamespace = current_schema()::regnamespace`;

/** Read-only catalog queries over the connection's current schema (ordinary and partitioned tables). */
export const CATALOG_QUERIES: { readonly [K in keyof CatalogRows]: string } = {
  tables: `SELECT c.relname::text AS table_name FROM pg_class c
    WHERE ${IN_SCHEMA('c')} AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
  columns: `SELECT c.relname::text AS table_name, a.attname::text AS column_name, a.attnum::int AS position,
      format_type(a.atttypid, a.atttypmod) AS formatted_type, t.typtype::text AS type_kind, t.typname::text AS type_name,
      et.typtype::text AS element_type_kind, et.typname::text AS element_type_name,
      a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_expr
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE ${IN_SCHEMA('c')} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY 1, 3`,
  enums: `SELECT t.typname::text AS enum_name, e.enumlabel::text AS label
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
    WHERE t.typnamespace = current_schema()::regnamespace ORDER BY 1, e.enumsortorder`,
  indexes: `SELECT t.relname::text AS table_name, i.relname::text AS index_name, ix.indisunique AS is_unique,
      ix.indisprimary AS is_primary, am.amname::text AS method, pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
      k.ord::int AS position, a.attname::text AS column_name, (ix.indoption[k.ord - 1] & 1) = 1 AS descending,
      opc.opcname::text AS opclass, opc.opcdefault AS opclass_is_default
    FROM pg_index ix
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_am am ON am.oid = i.relam
    CROSS JOIN LATERAL unnest(ix.indkey::int2[], ix.indclass::oid[]) WITH ORDINALITY AS k(attnum, opclass_oid, ord)
    LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
    LEFT JOIN pg_opclass opc ON opc.oid = k.opclass_oid
    WHERE ${IN_SCHEMA('t')} AND t.relkind IN ('r', 'p') AND k.ord <= ix.indnkeyatts
    ORDER BY 1, 2, k.ord`,
  foreignKeys: `SELECT con.conname::text AS constraint_name, t.relname::text AS table_name, rt.relname::text AS referenced_table,
      con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
      ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
      ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS referenced_columns
    FROM pg_constraint con
    JOIN pg_class t ON t.oid = con.conrelid
    JOIN pg_class rt ON rt.oid = con.confrelid
    WHERE con.contype = 'f' AND ${IN_SCHEMA('t')}
    ORDER BY 2, 1`,
};

/** Runs CATALOG_QUERIES through any query function (pg.Client, a transaction, ...). */
export async function readCatalogRows(query: (sql: string) => Promise<readonly object[]>): Promise<CatalogRows> {
  const run = async <K extends keyof CatalogRows>(key: K) => (await query(CATALOG_QUERIES[key])) as CatalogRows[K];
  return {
    tables: await run('tables'),
    columns: await run('columns'),
    enums: await run('enums'),
    indexes: await run('indexes'),
    foreignKeys: await run('foreignKeys'),
  };
}

const FK_ACTION_CODES: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

export interface ActualShapeOptions {
  /** Tables left out of the comparison; by default Prisma's own bookkeeping table. */
  ignoreTables?: readonly string[];
}

export function actualShapeFromCatalog(rows: CatalogRows, options: ActualShapeOptions = {}): DbShape {
  const ignored = new Set(options.ignoreTables ?? ['_prisma_migrations']);
  const tables = new Map<string, TableShape>();
  for (const row of rows.tables) {
    if (!ignored.has(row.table_name)) tables.set(row.table_name, { name: row.table_name, columns: [], primaryKey: null, indexes: [], foreignKeys: [] });
  }

  for (const row of [...rows.columns].sort((a, b) => a.position - b.position)) {
    const type =
      row.type_kind === 'e' ? row.type_name : row.element_type_kind === 'e' ? `${row.element_type_name}[]` : row.formatted_type;
    tables.get(row.table_name)?.columns.push({ name: row.column_name, type, nullable: !row.not_null, default: row.default_expr });
  }

  const indexRows = new Map<string, CatalogIndexRow[]>();
  for (const row of rows.indexes) {
    const key = `${row.table_name}\u0000${row.index_name}`;
    indexRows.set(key, [...(indexRows.get(key) ?? []), row]);
  }
  for (const group of indexRows.values()) {
    const ordered = [...group].sort((a, b) => a.position - b.position);
    const first = ordered[0]!;
    const table = tables.get(first.table_name);
    if (!table) continue;
    if (first.is_primary) {
      table.primaryKey = { name: first.index_name, columns: ordered.map((row) => row.column_name ?? '<expression>') };
      continue;
    }
    table.indexes.push({
      name: first.index_name,
      unique: first.is_unique,
      method: first.method,
      columns: ordered.map((row) => ({
        name: row.column_name,
        descending: row.descending,
        ...(row.opclass ? { opclass: row.opclass, opclassIsDefault: row.opclass_is_default ?? true } : {}),
      })),
      ...(first.predicate ? { predicate: first.predicate } : {}),
    });
  }

  for (const row of rows.foreignKeys) {
    tables.get(row.table_name)?.foreignKeys.push({
      name: row.constraint_name,
      columns: row.columns,
      referencedTable: row.referenced_table,
      referencedColumns: row.referenced_columns,
      onDelete: FK_ACTION_CODES[row.on_delete] ?? row.on_delete,
      onUpdate: FK_ACTION_CODES[row.on_update] ?? row.on_update,
    });
  }

  const enums = new Map<string, string[]>();
  for (const row of rows.enums) enums.set(row.enum_name, [...(enums.get(row.enum_name) ?? []), row.label]);

  return {
    enums: sortByName([...enums].map(([name, labels]) => ({ name, labels }))),
    tables: sortByName(
      [...tables.values()].map((table) => ({ ...table, indexes: sortByName(table.indexes), foreignKeys: sortByName(table.foreignKeys) })),
    ),
  };
}

// ------------------------------------------------------------------------------------------------
// Diff.

function canonicalNumber(text: string): string | undefined {
  const match = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return /^[+-]?\d+(\.\d*)?e[+-]?\d+$/i.test(text) ? String(Number(text)) : undefined;
  const [, sign, whole, fraction = ''] = match as unknown as [string, string, string, string | undefined];
  const integer = whole.replace(/^0+(?=\d)/, '');
  const decimals = fraction.replace(/0+$/, '');
  const body = decimals ? `${integer}.${decimals}` : integer;
  return sign === '-' && body !== '0' ? `-${body}` : body;
}

/**
 * Normalises a default expression so the schema's and PostgreSQL's spellings meet:
 * `nextval('…'::regclass)` → `autoincrement()`, `CURRENT_TIMESTAMP` → `now()`, `'m'::character varying`
 * → `'m'`, `'-1'::integer` / `(-1)` / `1.50` → `-1` / `-1` / `1.5`; anything else is whitespace-collapsed.
 */
export function canonicalDefault(sql: string | null): string | null {
  if (sql === null) return null;
  let text = sql.trim().replace(/\s+/g, ' ');
  if (/^nextval\('(?:[^']|'')*'(?:::regclass)?\)$/i.test(text)) return 'autoincrement()';
  if (/^(?:current_timestamp(?:\(\d+\))?|now\(\))$/i.test(text)) return 'now()';
  if (/^\(.*\)$/.test(text) && canonicalNumber(text.slice(1, -1)) !== undefined) text = text.slice(1, -1);
  if (text.startsWith("'")) {
    let end = 1;
    while (end < text.length) {
      if (text[end] === "'" && text[end + 1] === "'") end += 2;
      else if (text[end] === "'") break;
      else end += 1;
    }
    const rest = text.slice(end + 1);
    if (end < text.length && (rest === '' || /^(?:::[^']+)+$/.test(rest))) {
      const literal = text.slice(0, end + 1);
      return canonicalNumber(literal.slice(1, -1).replace(/''/g, "'")) ?? literal;
    }
    return text;
  }
  if (/^(true|false)$/i.test(text)) return text.toLowerCase();
  return canonicalNumber(text) ?? text;
}

function describeIndexColumn(column: IndexColumnShape): string {
  const opclass = column.opclass && column.opclassIsDefault !== true ? ` ${column.opclass}` : '';
  return `${column.name ?? '<expression>'}${opclass}${column.descending ? ' DESC' : ''}`;
}

export function describeIndex(index: IndexShape): string {
  const where = index.predicate ? ` WHERE ${index.predicate}` : '';
  return `${index.unique ? 'UNIQUE ' : ''}${index.method} (${index.columns.map(describeIndexColumn).join(', ')})${where}`;
}

export function describeForeignKey(fk: ForeignKeyShape): string {
  return `(${fk.columns.join(', ')}) REFERENCES ${fk.referencedTable} (${fk.referencedColumns.join(', ')}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`;
}

function describePrimaryKey(pk: PrimaryKeyShape | null): string {
  return pk ? `PRIMARY KEY "${pk.name}" (${pk.columns.join(', ')})` : 'no primary key';
}

function sameIndexColumn(expected: IndexColumnShape, actual: IndexColumnShape): boolean {
  if (expected.name !== actual.name || expected.descending !== actual.descending) return false;
  // No operator class in the schema means the type's default one.
  if (expected.opclass === undefined) return actual.opclass === undefined || actual.opclassIsDefault !== false;
  return expected.opclass === actual.opclass;
}

function sameIndex(expected: IndexShape, actual: IndexShape): boolean {
  return (
    expected.unique === actual.unique &&
    expected.method === actual.method &&
    (expected.predicate ?? null) === (actual.predicate ?? null) &&
    expected.columns.length === actual.columns.length &&
    expected.columns.every((column, i) => sameIndexColumn(column, actual.columns[i]!))
  );
}

function sameForeignKey(expected: ForeignKeyShape, actual: ForeignKeyShape): boolean {
  return describeForeignKey(expected) === describeForeignKey(actual);
}

function diffNamed<T extends { name: string }>(
  kind: string,
  table: string,
  expected: readonly T[],
  actual: readonly T[],
  same: (e: T, a: T) => boolean,
  describe: (item: T) => string,
  out: string[],
): void {
  const actualByName = new Map(actual.map((item) => [item.name, item]));
  const missing: T[] = [];
  for (const e of expected) {
    const a = actualByName.get(e.name);
    if (!a) missing.push(e);
    else if (!same(e, a)) out.push(`${kind} "${e.name}" on "${table}": database has ${describe(a)}, schema.prisma expects ${describe(e)}`);
    actualByName.delete(e.name);
  }
  for (const e of missing) {
    const renamed = [...actualByName.values()].find((a) => same(e, a));
    if (renamed) {
      actualByName.delete(renamed.name);
      out.push(`${kind} on "${table}" ${describe(e)}: named "${renamed.name}" in the database, schema.prisma expects "${e.name}"`);
    } else {
      out.push(`${kind} "${e.name}" on "${table}": missing from the database (schema.prisma expects ${describe(e)})`);
    }
  }
  for (const a of actualByName.values()) out.push(`${kind} "${a.name}" on "${table}": exists in the database but not in schema.prisma (${describe(a)})`);
}

function diffColumns(table: string, expected: readonly ColumnShape[], actual: readonly ColumnShape[], out: string[]): void {
  const actualByName = new Map(actual.map((column) => [column.name, column]));
  const nullability = (nullable: boolean) => (nullable ? 'nullable' : 'NOT NULL');
  for (const e of expected) {
    const a = actualByName.get(e.name);
    const label = `column "${table}"."${e.name}"`;
    actualByName.delete(e.name);
    if (!a) {
      out.push(`${label}: missing from the database (schema.prisma expects ${e.type} ${nullability(e.nullable)})`);
      continue;
    }
    if (a.type !== e.type) out.push(`${label}: type is ${a.type} in the database, schema.prisma expects ${e.type}`);
    if (a.nullable !== e.nullable) out.push(`${label}: ${nullability(a.nullable)} in the database, schema.prisma expects ${nullability(e.nullable)}`);
    if (e.defaultCheck === 'presence') {
      if (a.default === null) out.push(`${label}: has no default in the database, schema.prisma expects one`);
    } else if (e.defaultCheck !== 'skip' && canonicalDefault(a.default) !== canonicalDefault(e.default)) {
      out.push(`${label}: default is ${a.default ?? 'none'} in the database, schema.prisma expects ${e.default ?? 'none'}`);
    }
  }
  for (const a of actualByName.values()) out.push(`column "${table}"."${a.name}": exists in the database but not in schema.prisma (${a.type} ${nullability(a.nullable)})`);
}

/** Every difference between what schema.prisma describes and what the database has; empty when none. */
export function diffShapes(expected: DbShape, actual: DbShape): string[] {
  const out: string[] = [];

  const actualEnums = new Map(actual.enums.map((e) => [e.name, e]));
  for (const e of expected.enums) {
    const a = actualEnums.get(e.name);
    actualEnums.delete(e.name);
    if (!a) {
      out.push(`enum "${e.name}": missing from the database (schema.prisma expects ${e.labels.join(', ')})`);
      continue;
    }
    for (const label of e.labels) if (!a.labels.includes(label)) out.push(`enum "${e.name}": label "${label}" missing from the database`);
    for (const label of a.labels) if (!e.labels.includes(label)) out.push(`enum "${e.name}": label "${label}" exists in the database but not in schema.prisma`);
  }
  for (const a of actualEnums.values()) out.push(`enum "${a.name}": exists in the database but not in schema.prisma (${a.labels.join(', ')})`);

  const actualTables = new Map(actual.tables.map((t) => [t.name, t]));
  for (const e of expected.tables) {
    const a = actualTables.get(e.name);
    actualTables.delete(e.name);
    if (!a) {
      out.push(`table "${e.name}": missing from the database`);
      continue;
    }
    diffColumns(e.name, e.columns, a.columns, out);
    if (describePrimaryKey(e.primaryKey) !== describePrimaryKey(a.primaryKey)) {
      out.push(`primary key of "${e.name}": database has ${describePrimaryKey(a.primaryKey)}, schema.prisma expects ${describePrimaryKey(e.primaryKey)}`);
    }
    diffNamed('index', e.name, e.indexes, a.indexes, sameIndex, describeIndex, out);
    diffNamed('foreign key', e.name, e.foreignKeys, a.foreignKeys, sameForeignKey, describeForeignKey, out);
  }
  for (const a of actualTables.values()) out.push(`table "${a.name}": exists in the database but not in schema.prisma`);

  return out;
}

/** The failure message for a non-empty diff. */
export function formatDriftReport(differences: readonly string[]): string {
  return [
    `The migrated database differs from prisma/schema.prisma in ${differences.length} way(s):`,
    ...differences.map((difference) => `  - ${difference}`),
    'Add a migration under prisma/migrations/ (or fix schema.prisma) so both describe the same database.',
  ].join('\n');
}

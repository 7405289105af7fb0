import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { DmmfDatamodel } from './schema-drift.js';

/**
 * Prisma's own schema parser, offline: the `prisma` CLI package ships the Rust schema library
 * compiled to WebAssembly (`build/prisma_schema_build_bg.wasm`, the module behind `@prisma/internals`'
 * `getDMMF`, which is bundled into the CLI rather than installed as a package). Its wasm-bindgen JS
 * glue is bundled too, so this file is a minimal glue of its own for the one call we need,
 * `get_dmmf`: a JSON string in, a JSON string (or a thrown error object) out.
 *
 * The wasm imports carry per-build hash suffixes (`__wbg_Error_e83987f665cf5504`), so they are
 * matched by prefix; an import this glue does not know fails loudly at load time, which is the signal
 * to revisit it after a Prisma upgrade. Test tooling only: nothing at runtime imports this file.
 */

export class PrismaSchemaError extends Error {
  override readonly name = 'PrismaSchemaError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** One schema file as Prisma's multi-file API takes it: [path, contents]. */
export type SchemaFile = readonly [path: string, contents: string];

/** Parses and validates the schema with Prisma's engine and returns DMMF's `datamodel`. */
export function getDmmfDatamodel(schema: string | readonly SchemaFile[]): DmmfDatamodel {
  const files = typeof schema === 'string' ? [['schema.prisma', schema] as const] : schema;
  const output = callStringFunction('get_dmmf', JSON.stringify({ prismaSchema: files, noColor: true }));
  const dmmf = JSON.parse(output) as { datamodel?: Partial<DmmfDatamodel> };
  const datamodel = dmmf.datamodel;
  if (!datamodel || !Array.isArray(datamodel.models) || !Array.isArray(datamodel.enums) || !Array.isArray(datamodel.indexes)) {
    throw new Error('get_dmmf returned an unexpected shape (no datamodel.models/enums/indexes); Prisma changed its DMMF format');
  }
  return datamodel as DmmfDatamodel;
}

/** Where the wasm module lives: next to the installed `prisma` CLI. */
export function prismaSchemaWasmPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'prisma_schema_build_bg.wasm');
}

// --- minimal wasm-bindgen glue ---------------------------------------------------------------

interface WasmTable {
  get(index: number): unknown;
  set(index: number, value: unknown): void;
  grow(delta: number): number;
}

interface SchemaWasmExports {
  memory: { buffer: ArrayBuffer };
  __wbindgen_externrefs: WasmTable;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  __externref_table_dealloc(index: number): void;
  __wbindgen_start(): void;
  [name: string]: unknown;
}

/** The slice of the WebAssembly JS API used here (this repo's `lib` setting has no DOM types). */
interface WebAssemblyApi {
  Module: { new (bytes: Uint8Array): unknown; imports(module: unknown): { module: string; name: string; kind: string }[] };
  Instance: new (module: unknown, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  RuntimeError: new (...args: never[]) => Error;
}

const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let instance: SchemaWasmExports | undefined;
let lastPanicMessage: string | undefined;

function load(): SchemaWasmExports {
  if (instance) return instance;
  const module = new wasmApi.Module(readFileSync(prismaSchemaWasmPath()));
  let exports: SchemaWasmExports | undefined;
  const readString = (ptr: number, len: number): string => Buffer.from(exports!.memory.buffer, ptr >>> 0, len).toString('utf8');
  const imports: Record<string, Record<string, unknown>> = {};
  for (const { module: moduleName, name } of wasmApi.Module.imports(module)) {
    let implementation: (...args: number[]) => unknown;
    if (name.startsWith('__wbg_Error_')) {
      implementation = (ptr, len) => new Error(readString(ptr!, len!));
    } else if (name.startsWith('__wbg___wbindgen_throw_')) {
      implementation = (ptr, len) => {
        throw new Error(readString(ptr!, len!));
      };
    } else if (name.startsWith('__wbg_set_message_')) {
      // Rust's panic hook reports the panic text here just before the wasm traps.
      implementation = (ptr, len) => {
        lastPanicMessage = readString(ptr!, len!);
      };
    } else if (name === '__wbindgen_init_externref_table') {
      implementation = () => {
        const table = exports!.__wbindgen_externrefs;
        const offset = table.grow(4);
        table.set(0, undefined);
        table.set(offset + 0, undefined);
        table.set(offset + 1, null);
        table.set(offset + 2, true);
        table.set(offset + 3, false);
      };
    } else {
      throw new Error(`${prismaSchemaWasmPath()} needs the import ${moduleName}.${name}, which this glue does not provide; update prisma-schema-wasm.ts for this Prisma version`);
    }
    (imports[moduleName] ??= {})[name] = implementation;
  }
  exports = new wasmApi.Instance(module, imports).exports as SchemaWasmExports;
  exports.__wbindgen_start();
  instance = exports;
  return exports;
}

/** Calls an export of the shape `fn(&str) -> Result<String, JsError>` (wasm-bindgen multi-value ABI). */
function callStringFunction(name: string, argument: string): string {
  const wasm = load();
  const fn = wasm[name];
  if (typeof fn !== 'function') throw new Error(`prisma schema wasm has no export ${name}`);
  const bytes = Buffer.from(argument, 'utf8');
  const ptr = wasm.__wbindgen_malloc(bytes.length, 1) >>> 0;
  new Uint8Array(wasm.memory.buffer, ptr, bytes.length).set(bytes); // ownership passes to Rust
  let result: [number, number, number, number];
  try {
    result = (fn as (ptr: number, len: number) => [number, number, number, number])(ptr, bytes.length);
  } catch (error) {
    if (error instanceof wasmApi.RuntimeError) {
      instance = undefined; // a panicked instance is not reusable
      throw new Error(`prisma schema wasm panicked in ${name}: ${lastPanicMessage ?? error.message}`, { cause: error });
    }
    throw error;
  }
  const [outPtr, outLen, errorRef, isError] = result;
  if (isError) {
    const thrown = wasm.__wbindgen_externrefs.get(errorRef);
    wasm.__externref_table_dealloc(errorRef);
    throw toSchemaError(thrown);
  }
  try {
    return Buffer.from(wasm.memory.buffer, outPtr >>> 0, outLen).toString('utf8');
  } finally {
    wasm.__wbindgen_free(outPtr, outLen, 1);
  }
}

function toSchemaError(thrown: unknown): Error {
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  try {
    const parsed = JSON.parse(text) as { error_code?: string; message?: string };
    if (typeof parsed.message === 'string') return new PrismaSchemaError(parsed.message, parsed.error_code);
  } catch {
    // not Prisma's JSON error envelope
  }
  return new PrismaSchemaError(text, undefined);
}

// Builds dist/ (node scripts/build.mjs, ~5 s) only when a source is newer than `target`, the built
// file about to run. Shared by scripts/run-built.mjs (npm run cli) and scripts/service.mjs
// (npm run service). Build progress goes to stderr so the caller's stdout stays clean for pipes.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

// What the build reads: sources, compiler settings and the Prisma schema (the client is generated from it).
const SOURCE_ROOTS = ['apps', 'libs', 'scripts', 'prisma', '.swcrc', 'package-lock.json'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'generated']);
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;

function newestMtimeMs(entry) {
  const stats = statSync(entry, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return TEST_FILE.test(entry) ? 0 : stats.mtimeMs;
  let newest = 0;
  for (const child of readdirSync(entry, { withFileTypes: true })) {
    if (child.isDirectory() && SKIPPED_DIRS.has(child.name)) continue;
    newest = Math.max(newest, newestMtimeMs(path.join(entry, child.name)));
  }
  return newest;
}

/** Rebuilds dist/ when `target` is missing or older than a source; exits like the build on failure. */
export function buildIfStale(target) {
  const builtAtMs = statSync(target, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (builtAtMs >= Math.max(...SOURCE_ROOTS.map(newestMtimeMs))) return;
  console.error(builtAtMs ? 'sources changed: rebuilding dist/ …' : `${target} missing: building dist/ …`);
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

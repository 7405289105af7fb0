// Builds dist/ (node scripts/build.mjs, ~5 s) only when a source is newer than `target`, the built
// file about to run. Shared by scripts/run-built.mjs (npm run cli) and scripts/service.mjs
// (npm run service). Build progress goes to stderr so the caller's stdout stays clean for pipes.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
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

// Several commands started at once (`npm run service -- …` for each service) must not build at the
// same time: build.mjs empties dist/ first, under the feet of the others. The first takes this lock
// and builds; the rest wait for it, then find dist/ fresh. A lock left by a killed build is taken
// over once it is older than any build takes.
const LOCK = 'node_modules/.cache/tgg-build.lock'; // node_modules/ is ignored by git
const STALE_LOCK_MS = 120_000;

function isStale(target) {
  const builtAtMs = statSync(target, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return { stale: builtAtMs < Math.max(...SOURCE_ROOTS.map(newestMtimeMs)), builtAtMs };
}

function tryLock() {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  try {
    closeSync(openSync(LOCK, 'wx'));
    return true;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    const heldSinceMs = statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs;
    if (heldSinceMs !== undefined && Date.now() - heldSinceMs > STALE_LOCK_MS) rmSync(LOCK, { force: true });
    return false;
  }
}

/** Rebuilds dist/ when `target` is missing or older than a source; exits like the build on failure. */
export function buildIfStale(target) {
  while (isStale(target).stale) {
    if (!tryLock()) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // another command is building: wait, then look again
      continue;
    }
    const { stale, builtAtMs } = isStale(target);
    let status = 0;
    if (stale) {
      console.error(builtAtMs ? 'sources changed: rebuilding dist/ …' : `${target} missing: building dist/ …`);
      status = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] }).status ?? 1;
    }
    rmSync(LOCK, { force: true });
    if (status !== 0) process.exit(status);
    return;
  }
}

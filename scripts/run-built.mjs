// `node scripts/run-built.mjs dist/<path>.js [args…]`: runs a compiled entry point (a script or an app), building
// dist/ first (node scripts/build.mjs, ~5 s) only when a source is newer than that file.
// Build progress goes to stderr so the script's stdout stays clean for pipes.
import { spawnSync } from 'node:child_process';
import { buildIfStale } from './build-if-stale.mjs';

const [target, ...args] = process.argv.slice(2);
if (!target) {
  console.error('usage: node scripts/run-built.mjs dist/<path>.js [args…]');
  process.exit(2);
}

buildIfStale(target);

const result = spawnSync(process.execPath, [target, ...args], { stdio: 'inherit' });
if (result.error) {
  console.error(`cannot run ${target}: ${result.error.message}`);
  process.exit(1);
}
// A signal-killed child reports like a shell does: 128 + signal number.
process.exit(result.status ?? 128 + (result.signal === 'SIGINT' ? 2 : 15));

// `npm run test:chaos`: the chaos suite (e2e/chaos/*.chaos-spec.ts) — kill -9 of each service, a
// Redis restart, a Postgres outage, Genesys/Telegram error storms and duplicate webhook storms,
// each against the real services built into dist/. Not part of `npm test` (slow, one file at a time).
// Extra arguments go to Jest, e.g. `node scripts/test-chaos.mjs webhook-storms` for one file.
import { spawnSync } from 'node:child_process';
import { preflight } from './preflight.mjs';

function run(label, command, commandArgs, env = process.env) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`✗ ${label} failed`);
    process.exit(result.status ?? 1);
  }
}

run('build (swc → dist/)', process.execPath, ['scripts/build.mjs']);
const problems = await preflight();
if (problems.length) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim() };
const startedAtMs = Date.now();
run('chaos suite', process.execPath, [
  'node_modules/jest/bin/jest.js',
  '--testMatch',
  '**/e2e/chaos/**/*.chaos-spec.ts',
  // One scenario at a time: each starts four services and measures recovery on a small machine.
  '--runInBand',
  ...process.argv.slice(2),
], env);
console.log(`\nchaos suite took ${((Date.now() - startedAtMs) / 1000).toFixed(0)} s`);

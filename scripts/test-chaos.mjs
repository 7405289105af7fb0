// `npm run test:chaos`: the chaos suite (e2e/chaos/*.chaos-spec.ts) — kill -9 of each service, a
// Redis restart, a Postgres outage, Genesys/Telegram error storms and duplicate webhook storms,
// each against the real services built into dist/. Not part of `npm test` (slow, one file at a time).
// Extra arguments go to Jest, e.g. `node scripts/test-chaos.mjs webhook-storms` for one file.
import { jestEnv, requireLocalServices, run } from './steps.mjs';

run('build (swc → dist/)', process.execPath, ['scripts/build.mjs']);
await requireLocalServices();
const env = jestEnv();
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

// `npm test`: generate the Prisma client, type-check, check Postgres/Redis, then run Jest
// (unit, integration and end-to-end). `--unit` runs only the *.spec.ts files.
import { spawnSync } from 'node:child_process';
import { preflight } from './preflight.mjs';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const jestArgs = args.filter((arg) => arg !== '--unit');

function run(label, command, commandArgs, env = process.env) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`✗ ${label} failed`);
    process.exit(result.status ?? 1);
  }
}

run('prisma generate', process.execPath, ['scripts/prisma-generate.mjs']);
if (!process.env.SKIP_TYPECHECK) run('typecheck (tsc --noEmit)', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']);
if (!unitOnly) {
  // The end-to-end tests start the real services from dist/, as `npm start` does.
  run('build (swc → dist/)', process.execPath, ['scripts/build.mjs']);
  const problems = await preflight();
  if (problems.length) {
    for (const problem of problems) console.error(problem);
    process.exit(1);
  }
}
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim() };
if (unitOnly) env.TGG_UNIT_ONLY = '1';
run(unitOnly ? 'unit tests' : 'tests', process.execPath, [
  'node_modules/jest/bin/jest.js',
  ...(unitOnly ? ['--testPathPatterns', '\\.spec\\.ts$'] : []),
  ...jestArgs,
], env);

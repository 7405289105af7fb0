// `npm test`: generate the Prisma client, type-check, check Postgres/Redis, then run Jest
// (unit, integration and end-to-end). `--unit` runs only the *.spec.ts files.
import { jestEnv, requireLocalServices, run } from './steps.mjs';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const jestArgs = args.filter((arg) => arg !== '--unit');

run('prisma generate', process.execPath, ['scripts/prisma-generate.mjs']);
if (!process.env.SKIP_TYPECHECK) run('typecheck (tsc --noEmit)', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']);
if (!unitOnly) {
  // The end-to-end tests start the real services from dist/, as `npm start` does.
  run('build (swc → dist/)', process.execPath, ['scripts/build.mjs']);
  await requireLocalServices();
}
const env = jestEnv();
if (unitOnly) env.TGG_UNIT_ONLY = '1';
run(unitOnly ? 'unit tests' : 'tests', process.execPath, [
  'node_modules/jest/bin/jest.js',
  ...(unitOnly ? ['--testPathPatterns', '\\.spec\\.ts$'] : []),
  ...jestArgs,
], env);

// `npm run build`: generates the Prisma client, then compiles every app, lib and script with swc
// into dist/ (path aliases rewritten to relative imports). Type-checking is `npm run typecheck`.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

function run(label, command, args) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    console.error(`build: ${label} failed`);
    process.exit(result.status ?? 1);
  }
}

run('prisma generate', process.execPath, ['scripts/prisma-generate.mjs']);
if (existsSync('dist')) rmSync('dist', { recursive: true, force: true });
const sources = ['apps', 'libs', 'scripts', 'bench'].filter((dir) => existsSync(dir));
run('swc', process.execPath, [
  'node_modules/@swc/cli/bin/swc.js',
  ...sources,
  '-d',
  'dist',
  '--config-file',
  '.swcrc',
  '--ignore',
  '**/*.spec.ts,**/*.int-spec.ts,**/*.e2e-spec.ts',
  '--only',
  '**/*.ts',
  '--quiet',
]);

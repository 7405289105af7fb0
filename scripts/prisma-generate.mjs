// Generates the Prisma client (build output, gitignored) without network access.
// Prisma's CLI insists on downloading its native schema engine first; `generate` does not
// use it, so a dummy executable stands in (see docs/adr/0002-prisma-offline.md).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const dummy = existsSync('/bin/true') ? '/bin/true' : '/usr/bin/true';
const result = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? dummy, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
});
if (result.status !== 0) {
  process.stderr.write(result.stdout);
  process.stderr.write(result.stderr);
  console.error('prisma generate failed');
  process.exit(result.status ?? 1);
}

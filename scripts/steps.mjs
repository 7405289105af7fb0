// Shared by the test runners (scripts/test.mjs, scripts/test-chaos.mjs): each step prints its name,
// and the first failing step ends the run with that step's exit code.
import { spawnSync } from 'node:child_process';
import { preflight } from './preflight.mjs';

export function run(label, command, commandArgs, env = process.env) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`✗ ${label} failed`);
    process.exit(result.status ?? 1);
  }
}

/** Postgres and Redis must answer before tests that use them start: one clear line each, then exit 1. */
export async function requireLocalServices() {
  const problems = await preflight();
  if (problems.length === 0) return;
  for (const problem of problems) console.error(problem);
  process.exit(1);
}

/** The environment Jest runs in: ESM specs need the VM modules flag. */
export function jestEnv() {
  return { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim() };
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/** Where a run was made: figures only compare between runs on the same machine and commit. */
export function machineFacts(): { cores: number; cpuModel: string; node: string; commit: string } {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout (e.g. an unpacked tarball): say so rather than guess
  }
  return { cores: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, commit };
}

export function writeLatest(results: object): void {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', `${JSON.stringify(results, null, 2)}\n`);
  console.log('written: bench/results/latest.json');
}

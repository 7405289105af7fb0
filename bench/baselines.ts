import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { runLoad, type LoadResult } from './load-generator.js';
import { peakRssMiB } from './peak-rss.js';
import { UpdateStream } from './updates.js';

export const SATURATION_CONNECTIONS = 64;

export interface Baseline {
  saturation: LoadResult;
  peakRssMiB?: number;
}

async function startBareServer(mode: 'plain' | 'redis'): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.resolve('dist/bench/bare-server.js'), mode, '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare server (${mode}) exited with ${code}`)));
    readline.createInterface({ input: child.stdout! }).once('line', (line) => resolve(Number(line.split(' ')[1]))); // stdout is piped above
  });
  return { url: `http://127.0.0.1:${port}/telegram/webhook/default`, child };
}

/** The physical limit ingress is compared with: the same saturating load against a bare Fastify process (bench/bare-server.ts). */
export async function measureBare(mode: 'plain' | 'redis', durationS: number): Promise<Baseline> {
  const { url, child } = await startBareServer(mode);
  const updates = new UpdateStream(1_000_000_000, 500);
  const saturation = await runLoad({ url, durationS, connections: SATURATION_CONNECTIONS, headers: { 'x-telegram-bot-api-secret-token': 'x' }, nextBody: () => updates.next() });
  const rss = peakRssMiB(child.pid);
  child.kill('SIGTERM');
  return { saturation, peakRssMiB: rss };
}

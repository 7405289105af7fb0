import { readFileSync } from 'node:fs';

/** A service process's memory and liveness, read from outside it (hostile-input spec). */

/**
 * RSS swings by tens of MiB with V8's garbage collection alone (a 1 MiB body makes several MiB of
 * short-lived strings), so one sample can sit anywhere on the sawtooth. The services run with this
 * preload (NODE_OPTIONS): on SIGWINCH — a signal nothing else uses, unlike SIGUSR2, which Nest's
 * shutdown hooks take — it runs a full collection and reports the heap in use, so memory is
 * compared after a collection both times.
 */
export const GC_PRELOAD = `process.on('SIGWINCH', () => {
  globalThis.gc();
  process.stderr.write('hostile-input-gc heapUsed=' + process.memoryUsage().heapUsed + '\\n');
});
`;
export const GC_MARKER = /hostile-input-gc heapUsed=(\d+)/g;

/** VmRSS (or VmHWM, the peak RSS) of a process, from /proc. */
export function rssBytesOf(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} for pid ${pid}`);
  return Number(match[1]) * 1024;
}

export interface MemoryAfterGc {
  rss: number;
  heapUsed: number;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

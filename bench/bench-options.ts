import { parseArgs } from 'node:util';

export interface BenchOptions {
  phaseS: number;
  /** Dispatcher counts, one backlog-drain round each, in order; the last one stays for the later phases. */
  dispatcherRounds: number[];
  sequencers: number;
}

const USAGE = 'usage: npm run bench -- [--replicas N[,N…]] [--sequencers N]   (BENCH_PHASE_S=seconds per phase, default 10)';

function count(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 16) throw new Error(`${flag} takes whole numbers 1–16, got '${text}'\n${USAGE}`);
  return value;
}

/**
 * `--replicas 2` drains the backlog with 2 dispatchers; `--replicas 1,2` drains one backlog with 1,
 * then a fresh one with 2, in the same run, so the two rates are comparable. `--sequencers N` runs N
 * sequencers throughout.
 */
export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: { replicas: { type: 'string', default: '1' }, sequencers: { type: 'string', default: '1' } },
    strict: true,
    allowPositionals: false,
  });
  const phaseS = Number(env['BENCH_PHASE_S'] ?? 10);
  if (!Number.isFinite(phaseS) || phaseS <= 0) throw new Error(`BENCH_PHASE_S must be a positive number of seconds\n${USAGE}`);
  return {
    phaseS,
    dispatcherRounds: values.replicas.split(',').map((part) => count(part.trim(), '--replicas')),
    sequencers: count(values.sequencers, '--sequencers'),
  };
}

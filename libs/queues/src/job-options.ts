import type { JobsOptions } from 'bullmq';
import { RetryableError } from '@tgg/contracts';

/** Kept long enough to cover Telegram's 24 h redelivery window (reference §1.5–1.6). */
export const UPDATE_DEDUPLICATION_TTL_MS = 25 * 60 * 60 * 1000;

/**
 * Failed jobs are never removed automatically: the failed set of each queue IS its dead-letter
 * queue (docs/adr/0003-dead-letters.md), listed, replayed and purged by `npm run cli -- dlq`.
 */
export function defaultJobOptions(attempts: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'bridge' },
    removeOnComplete: { count: 10_000, age: 3600 },
    removeOnFail: false,
  };
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 60_000;

/**
 * One backoff rule for every worker: the far side's Retry-After when it gave one (plus a little
 * jitter so a herd of jobs does not return at the same instant), else exponential with full jitter.
 */
export function bridgeBackoffMs(attemptsMade: number, error: unknown, random: () => number = Math.random): number {
  if (error instanceof RetryableError && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, 3_600_000) + Math.floor(random() * 250);
  }
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attemptsMade - 1));
  return Math.max(100, Math.floor(random() * ceiling));
}

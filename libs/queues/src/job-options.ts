import type { JobsOptions } from 'bullmq';
import { BridgeError, RetryableError } from '@tgg/contracts';

/** Kept long enough to cover Telegram's 24 h redelivery window (Bot API: setWebhook / getUpdates). */
export const UPDATE_DEDUPLICATION_TTL_MS = 25 * 60 * 60 * 1000;

/**
 * BullMQ wants an attempt budget; ours is time, not a count (SPEC §5: transient failures are
 * retried until the message is DELIVERY_HORIZON_S old), so the count is set out of reach and
 * `createProcessor` ends a job's retries when its horizon is reached.
 */
export const UNBOUNDED_ATTEMPTS = 1_000_000_000;

/** Where `npm run cli -- dlq replay` notes when it replayed a job: the horizon starts again from there. */
export const REPLAYED_AT_FIELD = 'replayedAtMs';

/** A hard bound on a peer's Retry-After, so a garbled header cannot park a chat for days. */
const MAX_RETRY_AFTER_MS = 3_600_000;
const BASE_DELAY_MS = 500;

/**
 * The failed set of each queue IS its dead-letter queue (docs/adr/0003-dead-letters.md), listed,
 * replayed and purged by `npm run cli -- dlq`; BullMQ keeps only its newest `deadLetterKeep` jobs
 * (atomically, in its move-to-failed script), so Redis under `noeviction` cannot fill up.
 */
export function defaultJobOptions(deadLetterKeep: number): JobsOptions {
  return {
    attempts: UNBOUNDED_ATTEMPTS,
    backoff: { type: 'bridge' },
    removeOnComplete: { count: 10_000, age: 3600 },
    removeOnFail: { count: deadLetterKeep },
  };
}

/**
 * One backoff rule for every worker: the far side's Retry-After when it gave one (a promise to the
 * peer, honoured even above our cap, plus a little jitter so a herd of jobs does not return at the
 * same instant), else exponential with full jitter capped at `maxDelayMs` — so after an outage of
 * any length the next attempt is at most `maxDelayMs` away.
 */
export function bridgeBackoffMs(attemptsMade: number, error: unknown, maxDelayMs: number, random: () => number = Math.random): number {
  if (error instanceof RetryableError && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS) + Math.floor(random() * 250);
  }
  const ceiling = Math.min(maxDelayMs, BASE_DELAY_MS * 2 ** Math.min(40, Math.max(0, attemptsMade - 1)));
  return Math.max(100, Math.floor(random() * ceiling));
}

/**
 * When a job's delivery horizon started: the time the bridge received the message (`receivedAtMs`
 * in every message job), or a later replay by an operator; the job's creation time otherwise.
 */
export function horizonStartMs(jobData: unknown, jobCreatedAtMs: number): number {
  const fields = typeof jobData === 'object' && jobData !== null ? (jobData as Record<string, unknown>) : {}; // any object: only numbers are read
  const receivedAtMs = typeof fields['receivedAtMs'] === 'number' ? fields['receivedAtMs'] : jobCreatedAtMs;
  const replayedAtMs = fields[REPLAYED_AT_FIELD];
  return typeof replayedAtMs === 'number' && replayedAtMs > receivedAtMs ? replayedAtMs : receivedAtMs;
}

export type FailureVerdict = { final: false } | { final: true; code: string; reason: string };

/**
 * What a failed attempt means (SPEC §5): a permanent error (the peer's 400/403/404/422, invalid
 * data) is final at once; anything else — 5xx, 429, 408, timeouts, connection errors, our own
 * Postgres or Redis unreachable, an unexpected error — is retried until the message is `horizonMs`
 * old, however many attempts that takes.
 */
export function failureVerdict(error: unknown, ageMs: number, horizonMs: number): FailureVerdict {
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof BridgeError && !error.retryable) return { final: true, code: error.code, reason };
  if (ageMs >= horizonMs) {
    const code = error instanceof BridgeError ? error.code : 'unexpected_error';
    return { final: true, code: 'delivery_horizon', reason: `still failing after ${Math.round(ageMs / 1000)} s (horizon ${Math.round(horizonMs / 1000)} s); last error ${code}: ${reason}` };
  }
  return { final: false };
}

import type { MessageRepository } from './message.repository.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Rows per UPDATE: small enough for short locks beside live traffic, large enough to be quick. */
export const RETENTION_BATCH_SIZE = 1000;

/** Messages created before this instant have outlived MESSAGE_RETENTION_DAYS. */
export function retentionCutoffMs(nowMs: number, retentionDays: number): number {
  return nowMs - retentionDays * DAY_MS;
}

export interface PurgeOptions {
  cutoffMs: number;
  batchSize?: number;
  /** Stop starting batches after this instant (the next run goes on); default: until done. */
  deadlineMs?: number;
  now?: () => number;
  /** After each batch, e.g. to count it in a metric as it happens (a later batch may fail). */
  onBatch?: (purged: number) => void;
}

export interface PurgeOutcome {
  purged: number;
  batches: number;
  /** False when the deadline stopped it with bodies still left. */
  complete: boolean;
}

/** Clears expired message bodies batch by batch until none are left or the deadline passed. */
export async function purgeExpiredBodies(messages: MessageRepository, options: PurgeOptions): Promise<PurgeOutcome> {
  const batchSize = options.batchSize ?? RETENTION_BATCH_SIZE;
  const now = options.now ?? Date.now;
  let purged = 0;
  let batches = 0;
  for (;;) {
    const count = await messages.purgeBodiesBatch(options.cutoffMs, batchSize);
    batches += 1;
    purged += count;
    options.onBatch?.(count);
    if (count < batchSize) return { purged, batches, complete: true };
    if (options.deadlineMs !== undefined && now() >= options.deadlineMs) return { purged, batches, complete: false };
  }
}

import type { Queue } from 'bullmq';
import type { JobName } from '@tgg/contracts';

export const RETENTION_SCHEDULER_ID = 'message-retention';
export const RETENTION_JOB_NAME = 'message-retention-due.v1' satisfies JobName;
/** Hourly: bodies outlive MESSAGE_RETENTION_DAYS by at most an hour, and each run is small. */
export const RETENTION_EVERY_MS = 60 * 60 * 1000;

/**
 * Registers the retention run with BullMQ's job scheduler. Every dispatcher replica calls this at
 * start; the scheduler is one Redis record keyed by RETENTION_SCHEDULER_ID, so upserting it again
 * replaces it instead of adding a second one, and each iteration is one job that exactly one
 * worker takes — one run per cluster whatever the replica count.
 */
export async function scheduleMessageRetention(queue: Queue, everyMs = RETENTION_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(
    RETENTION_SCHEDULER_ID,
    { every: everyMs },
    {
      name: RETENTION_JOB_NAME,
      data: {},
      // A failed run is retried a few times, then kept (bounded) in the failed set for `dlq list`;
      // the next iteration starts afresh anyway.
      opts: { attempts: 5, backoff: { type: 'bridge' }, removeOnComplete: { count: 48 }, removeOnFail: { count: 48 } },
    },
  );
}

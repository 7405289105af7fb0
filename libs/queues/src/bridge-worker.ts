import { Job, UnrecoverableError, Worker, type Processor, type WorkerOptions } from 'bullmq';
import { RetryableError } from '@tgg/contracts';
import type { Redis } from 'ioredis';
import { bridgeBackoffMs } from './job-options.js';
import type { QueueName } from './queue-names.js';

export interface BridgeWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** WORKER_LOCK_MS: how long a job's lock lives without renewal. */
  lockDurationMs: number;
  /** RETRY_MAX_DELAY_S in ms: the cap of the exponential backoff. */
  retryMaxDelayMs: number;
  /** DEAD_LETTER_KEEP: the failed set keeps this many (BullMQ trims it; see defaultJobOptions). */
  deadLetterKeep: number;
  /** Called with how many old dead letters BullMQ is about to drop to keep `deadLetterKeep`. */
  onDeadLettersDropped: (count: number) => void;
  /** Wake this worker's retries when a job succeeds after an outage (OutageRecovery); default on. */
  wakeRetriesOnRecovery?: boolean;
  /** SHUTDOWN_DRAIN_MS: how long drain() lets running jobs finish before handing them back. */
  drainBudgetMs: number;
}

/**
 * Lock timings from WORKER_LOCK_MS. A killed worker's active jobs are taken up again by the next
 * stalled check after their lock expired: within lock + stalledInterval (default 6 + 2 = 8 s,
 * SPEC's "within 10 s"). A live worker renews its locks every quarter of the lock, so its event
 * loop may stall for ¾ of the lock (4.5 s by default) under CPU load before a job it is still
 * working on is wrongly handed to another worker.
 */
export function lockTimings(lockDurationMs: number): { lockDuration: number; lockRenewTime: number; stalledInterval: number } {
  return {
    lockDuration: lockDurationMs,
    lockRenewTime: Math.max(250, Math.floor(lockDurationMs / 4)),
    stalledInterval: Math.max(500, Math.floor(lockDurationMs / 3)),
  };
}

/** At most one early wake-up of the retries per this long (see OutageRecovery). */
const RECOVERY_PROMOTION_INTERVAL_MS = 5_000;

/**
 * After an outage, delivery should resume within seconds, not when each job's backoff (up to
 * RETRY_MAX_DELAY_S) happens to end. The worker remembers the jobs it sent back to wait after an
 * outage-like failure (5xx, timeout, connection error — not a rate limit, whose Retry-After must be
 * honoured), and when any job succeeds, wakes those that are still waiting. At most one wake-up
 * per RECOVERY_PROMOTION_INTERVAL_MS, so a peer that fails only some requests sees retries no more
 * often than that. Each replica wakes the jobs it failed itself.
 */
class OutageRecovery {
  private readonly waiting = new Set<string>();
  private lastPromotionMs = 0;

  /** `worker`: Job.fromId needs only a queue's name, keys and connection, which the worker has. */
  constructor(private readonly worker: Worker, private readonly intervalMs: number) {}

  noteFailure(jobId: string | undefined, error: unknown): void {
    if (jobId === undefined) return;
    if (error instanceof RetryableError && error.retryAfterMs !== undefined) this.waiting.delete(jobId);
    else this.waiting.add(jobId);
  }

  async noteSuccess(jobId: string | undefined, nowMs: number): Promise<void> {
    if (jobId !== undefined) this.waiting.delete(jobId);
    if (this.waiting.size === 0 || nowMs - this.lastPromotionMs < this.intervalMs) return;
    this.lastPromotionMs = nowMs;
    const jobIds = [...this.waiting];
    this.waiting.clear();
    for (const id of jobIds) {
      const job = await Job.fromId(this.worker, id);
      // Only a job still waiting out its backoff; promote() refuses any other state.
      if (job && (await job.isDelayed())) await job.promote().catch(async (error: unknown) => {
        // Its delay ended (or another replica woke it) between the two calls: nothing left to wake.
        if (await job.isDelayed()) throw error;
      });
    }
  }
}

/** What drain() did: jobs that finished within the budget are not counted, only those handed back. */
export interface DrainOutcome {
  handedBack: string[];
}

/** A job in work here, with the lock token that lets this worker give it up. */
interface RunningJob {
  job: Job;
  token: string | undefined;
  /** Resolves when the processor returned or threw. */
  settled: Promise<unknown>;
}

/**
 * A BullMQ worker that can be drained within a budget (SIGTERM, SPEC §4). Plain close() waits for
 * running jobs without a bound, and a forced close leaves them locked until the lock expires and a
 * stalled check finds them (≈ 1.33 × WORKER_LOCK_MS). drain() instead stops fetching, gives running
 * jobs the budget, then moves the rest back to wait with their own lock token, so another replica
 * takes them at once. A handed-back job keeps its id (a chat's turn names it) and its attempt count.
 */
export class BridgeWorker extends Worker {
  private draining: Promise<DrainOutcome> | undefined;

  constructor(
    queueName: QueueName,
    processor: Processor,
    workerOptions: WorkerOptions,
    private readonly jobsInWork: Map<string, RunningJob>,
    private readonly drainBudgetMs: number,
  ) {
    super(queueName, processor, workerOptions);
  }

  /** Idempotent: a second call (the host's shutdown hook after SIGTERM's drain) gets the same outcome. */
  drain(): Promise<DrainOutcome> {
    this.draining ??= this.drainOnce();
    return this.draining;
  }

  private async drainOnce(): Promise<DrainOutcome> {
    await this.pause(true);
    const finished = Promise.allSettled([...this.jobsInWork.values()].map((entry) => entry.settled)).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.drainBudgetMs)));
    const inTime = await Promise.race([finished, budget]);
    clearTimeout(timer);
    const handedBack: string[] = [];
    if (!inTime) {
      const unfinished = [...this.jobsInWork.values()];
      this.jobsInWork.clear();
      await Promise.all(
        unfinished.map(async ({ job, token }) => {
          try {
            await job.moveToWait(token);
            handedBack.push(job.id ?? '');
            // A processor that listens to its signal stops; its late outcome is refused (lock gone) either way.
            this.cancelJob(job.id ?? '', 'handed back on shutdown');
          } catch (error) {
            // Finished or lost its lock meanwhile: either way it is no longer this worker's to give back.
            this.emit('error', error instanceof Error ? error : new Error(String(error)));
          }
        }),
      );
    }
    await this.close(!inTime);
    return { handedBack };
  }
}

/**
 * A BullMQ worker with the bridge's one backoff rule; started by the caller (onApplicationBootstrap).
 * Bookkeeping failures (counting dropped dead letters, waking retries) never change a job's
 * outcome; they are reported as the worker's 'error' event, which every BridgeWorker must listen to
 * (as every BullMQ worker must: it reports lost connections the same way).
 */
export function createBridgeWorker(queueName: QueueName, processor: Processor, options: BridgeWorkerOptions): BridgeWorker {
  const running = new Map<string, RunningJob>();
  const reportError = (error: unknown): void => {
    worker.emit('error', error instanceof Error ? error : new Error(String(error)));
  };
  const countDropped = async (): Promise<void> => {
    // Read before the job moves to the failed set: one more than `keep` there means BullMQ drops the oldest.
    // The worker's own backend counts it (what Queue.getFailedCount asks), so no second Queue is needed.
    const [failed = 0] = await worker.getBackend().getCounts(['failed']);
    const dropped = failed + 1 - options.deadLetterKeep;
    if (dropped > 0) options.onDeadLettersDropped(dropped);
  };
  const countingProcessor = async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
    let result: unknown;
    const work = processor(job, token, signal);
    // `settled` only tells drain() when the job is over; its rejection is handled by the await below.
    if (job.id !== undefined) running.set(job.id, { job, token, settled: work.catch(() => undefined) });
    try {
      result = await work;
    } catch (error) {
      // Bookkeeping only: neither may change the job's outcome, which the rethrow below decides.
      if (error instanceof UnrecoverableError) await countDropped().catch(reportError);
      else recovery?.noteFailure(job.id, error);
      throw error;
    } finally {
      if (job.id !== undefined && running.get(job.id)?.token === token) running.delete(job.id);
    }
    await recovery?.noteSuccess(job.id, Date.now()).catch(reportError);
    return result;
  };
  const worker = new BridgeWorker(queueName, countingProcessor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    autorun: false,
    settings: { backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) => bridgeBackoffMs(attemptsMade, error, options.retryMaxDelayMs) },
    ...lockTimings(options.lockDurationMs),
    // A job whose worker died this often in a row is probably what kills it: dead-letter it.
    maxStalledCount: 5,
  }, running, options.drainBudgetMs);
  // Declared after the worker it reads jobs through; the processor above first runs after run(), long after this line.
  const recovery = options.wakeRetriesOnRecovery === false ? undefined : new OutageRecovery(worker, Math.min(RECOVERY_PROMOTION_INTERVAL_MS, options.retryMaxDelayMs));
  return worker;
}

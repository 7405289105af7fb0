import type { Job, Queue } from 'bullmq';
import type { TraceCarrier } from '@tgg/contracts';
import { ALL_QUEUES, REPLAYED_AT_FIELD, type QueueName } from '@tgg/queues';
import { OperationsError } from './operations-error.js';
import { traceIdOf } from './trace-link.js';

/**
 * Dead letters are the failed set of each queue (`removeOnFail: false`, libs/queues/src/job-options.ts):
 * jobs that used up their retries, failed permanently or reached their delivery horizon. This is
 * the one implementation behind `npm run cli -- dlq` and the ops console, so both replay the same way.
 * Listing gives metadata only — payloads hold customer text.
 */

/** The queue as the services name it: same Redis, same QUEUE_PREFIX. */
export type QueueSource = (name: QueueName) => Promise<Queue>;

export interface DeadLetter {
  queue: QueueName;
  id: string;
  name: string;
  attemptsMade: number;
  maxAttempts: number;
  /** When the job was first queued (epoch ms); replay goes oldest first by this. */
  queuedAtMs: number;
  failedAtMs?: number;
  reason: string;
  channel?: string;
  chatId?: string;
  traceId?: string;
}

export interface DeadLetterListing {
  /** Failed jobs in the queues looked at, whether listed or not. */
  total: number;
  /** Per queue, the newest `limit`, newest first. */
  letters: DeadLetter[];
}

/** Which dead letters an action applies to: one job (needs its queue), the newest `limit` per queue, or all. */
export interface DeadLetterSelection {
  queue?: QueueName;
  limit?: number;
  job?: string;
}

/** How many jobs an action moved, per queue that had any. */
export type DeadLetterOutcome = { queue: QueueName; count: number }[];

export class DeadLetters {
  constructor(
    private readonly queueOf: QueueSource,
    private readonly now: () => number = Date.now,
  ) {}

  async list(options: { queue?: QueueName; limit: number }): Promise<DeadLetterListing> {
    const listing: DeadLetterListing = { total: 0, letters: [] };
    for (const name of queuesOf(options)) {
      const queue = await this.queueOf(name);
      const count = await queue.getFailedCount();
      listing.total += count;
      if (count === 0) continue;
      for (const job of await queue.getFailed(0, options.limit - 1)) listing.letters.push(deadLetterOf(name, job));
    }
    return listing;
  }

  /**
   * Moves failed jobs back to waiting, oldest first, with a fresh delivery horizon. A replayed
   * message re-enters its chat's turn (libs/chat-turns requeue) and so arrives after the chat's
   * later messages, but the replayed ones keep their order among themselves.
   */
  async replay(selection: DeadLetterSelection): Promise<DeadLetterOutcome> {
    const outcome: DeadLetterOutcome = [];
    for (const name of queuesOf(selection)) {
      // Oldest first: replayed messages re-enter their chat's turn in the order they were first queued.
      const jobs = (await this.select(name, selection)).sort((a, b) => a.timestamp - b.timestamp);
      for (const job of jobs) {
        // The delivery horizon starts again from the replay: a message older than DELIVERY_HORIZON_S
        // would otherwise be dead-lettered again by its first transient failure.
        await job.updateData({ ...(job.data as object), [REPLAYED_AT_FIELD]: this.now() }); // job data is always an object: our producers validate it
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      }
      if (jobs.length > 0) outcome.push({ queue: name, count: jobs.length });
    }
    return outcome;
  }

  /** Deletes failed jobs and their payloads for good. */
  async purge(selection: DeadLetterSelection): Promise<DeadLetterOutcome> {
    const outcome: DeadLetterOutcome = [];
    for (const name of queuesOf(selection)) {
      const jobs = await this.select(name, selection);
      for (const job of jobs) await job.remove();
      if (jobs.length > 0) outcome.push({ queue: name, count: jobs.length });
    }
    return outcome;
  }

  /** The jobs an action applies to: one by id (which must be failed), or the newest `limit` (all by default). */
  private async select(name: QueueName, selection: DeadLetterSelection): Promise<Job[]> {
    const queue = await this.queueOf(name);
    if (selection.job !== undefined) {
      const job = await queue.getJob(selection.job);
      if (!job) throw new OperationsError(`no job ${selection.job} in queue ${name}`);
      const state = await job.getState();
      if (state !== 'failed') throw new OperationsError(`job ${selection.job} in queue ${name} is ${state}, not failed`);
      return [job];
    }
    return queue.getFailed(0, selection.limit === undefined ? -1 : selection.limit - 1);
  }
}

export function countOf(outcome: DeadLetterOutcome): number {
  return outcome.reduce((sum, { count }) => sum + count, 0);
}

function queuesOf(selection: { queue?: QueueName; job?: string }): readonly QueueName[] {
  if (selection.job !== undefined && selection.queue === undefined) throw new OperationsError('a job needs its queue: job ids are per queue');
  return selection.queue ? [selection.queue] : ALL_QUEUES;
}

/** The fields every job payload of ours has (libs/contracts/src/jobs), read defensively: a dead letter may hold anything. */
interface JobDataFields {
  channel?: unknown;
  chatId?: unknown;
  trace?: unknown;
  update?: unknown;
}

function deadLetterOf(queue: QueueName, job: Job): DeadLetter {
  const data = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as JobDataFields;
  const traceId = traceIdOf(typeof data.trace === 'object' && data.trace !== null ? (data.trace as TraceCarrier) : undefined);
  return {
    queue,
    id: job.id ?? '-',
    name: job.name,
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    queuedAtMs: job.timestamp,
    ...(job.finishedOn ? { failedAtMs: job.finishedOn } : {}),
    reason: (job.failedReason || '-').replace(/\s+/g, ' '),
    ...(typeof data.channel === 'string' ? { channel: data.channel } : {}),
    ...chatOf(data),
    ...(traceId === undefined ? {} : { traceId }),
  };
}

/** The chat a job is about: `chatId` in ordered jobs, the update's chat in a raw Telegram update. */
function chatOf(data: JobDataFields): { chatId?: string } {
  if (typeof data.chatId === 'string') return { chatId: data.chatId };
  const update = (data.update ?? {}) as { message?: { chat?: { id?: unknown } }; edited_message?: { chat?: { id?: unknown } } };
  const id = (update.message ?? update.edited_message)?.chat?.id;
  return typeof id === 'number' && Number.isSafeInteger(id) ? { chatId: String(id) } : {};
}

import type { JobName } from '@tgg/contracts';
import { QUEUE_JOB_NAMES, type QueueName } from '@tgg/queues';
import type { HandlerRegistration, JobHandler } from './queue-job-handler.js';

/** A provider found with @QueueJobHandler, named for error messages. */
export interface DiscoveredHandler {
  name: string;
  registration: HandlerRegistration;
  handler: JobHandler<JobName>;
}

/** One worker to start: its queue, its settings and the one handler of each job name it carries. */
export interface WorkerPlan {
  queue: QueueName;
  concurrency: number;
  wakeRetriesOnRecovery: boolean;
  handlers: ReadonlyMap<JobName, DiscoveredHandler>;
}

/** The service's handlers do not cover the queues it consumes exactly: it must not start. */
export class WorkerHostError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`cannot start the workers: ${problems.join('; ')}`);
    this.name = 'WorkerHostError';
  }
}

/**
 * Checks the handlers against what the consumed queues carry (QUEUE_JOB_NAMES) and plans one worker
 * per queue. Every job name of a consumed queue needs exactly one handler: none would dead-letter
 * each such job as unknown, two would leave it to chance which runs. All problems are reported at once.
 */
export function planWorkers(consumes: readonly QueueName[], discovered: readonly DiscoveredHandler[]): WorkerPlan[] {
  const problems: string[] = [];
  const consumed = new Set(consumes);
  for (const { name, registration } of discovered) {
    if (!consumed.has(registration.queue)) problems.push(`handler ${name} is for queue ${registration.queue}, which this service does not consume`);
    const carried: readonly JobName[] | undefined = QUEUE_JOB_NAMES[registration.queue];
    if (!carried?.includes(registration.job)) problems.push(`handler ${name}: queue ${registration.queue} does not carry job ${registration.job}`);
  }
  const plans = [...consumed].map((queue) => {
    const ofQueue = discovered.filter((found) => found.registration.queue === queue);
    const handlers = new Map<JobName, DiscoveredHandler>();
    for (const job of QUEUE_JOB_NAMES[queue]) {
      const candidates = ofQueue.filter((found) => found.registration.job === job);
      if (candidates.length === 0) problems.push(`queue ${queue}: no handler for job ${job}`);
      if (candidates.length > 1) problems.push(`queue ${queue}: job ${job} has ${candidates.length} handlers (${candidates.map((found) => found.name).sort().join(', ')})`);
      if (candidates[0]) handlers.set(job, candidates[0]);
    }
    const concurrencies = new Set(ofQueue.map((found) => found.registration.concurrency));
    const wakes = new Set(ofQueue.map((found) => found.registration.wakeRetriesOnRecovery !== false));
    if (concurrencies.size > 1) problems.push(`queue ${queue}: its handlers disagree on concurrency (${[...concurrencies].join(', ')})`);
    if (wakes.size > 1) problems.push(`queue ${queue}: its handlers disagree on wakeRetriesOnRecovery`);
    const [concurrency = 1] = concurrencies;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) problems.push(`queue ${queue}: concurrency must be a positive integer, not ${concurrency}`);
    return { queue, concurrency, wakeRetriesOnRecovery: ![...wakes].includes(false), handlers };
  });
  if (problems.length > 0) throw new WorkerHostError(problems);
  return plans;
}

import { Injectable, applyDecorators } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'bullmq';
import type { JobData, JobName } from '@tgg/contracts';
import type { FinalFailure, QueueJobName, QueueName } from '@tgg/queues';

/**
 * The work for one job name of one queue. The WorkerHost parses each job against its name's schema
 * before `handle` sees it, retries what is transient until the delivery horizon, and counts and logs
 * every dead letter; the handler holds only the job's own logic.
 */
export interface JobHandler<N extends JobName> {
  handle(data: JobData<N>, job: Job): Promise<void>;
  /**
   * The job is being dead-lettered (permanent, or past its horizon): release what it held (its chat's
   * turn, its incoming mark) and count app metrics. Throwing retries the job, so nothing it held leaks.
   */
  onDeadLetter?(failure: FinalFailure): Promise<void>;
  /** An attempt failed and the job waits for its retry (the host logs it): app metrics only. */
  onRetry?(job: Job, error: Error): void;
}

/** What @QueueJobHandler records on the class; the host reads it at bootstrap. */
export interface HandlerRegistration {
  queue: QueueName;
  job: JobName;
  /** Jobs of this queue that run at once in this process; every handler of the queue names the same. */
  concurrency: number;
  /** false: do not wake this queue's delayed jobs early after an outage (OutageRecovery); default true. */
  wakeRetriesOnRecovery?: boolean;
}

export const HandlerMetadata = DiscoveryService.createDecorator<HandlerRegistration>();

/**
 * Marks a provider as the handler of `job` on `queue`. The types tie the three together: the queue
 * must carry the job name (QUEUE_JOB_NAMES), and the class must handle that job's data.
 */
export function QueueJobHandler<Q extends QueueName, N extends QueueJobName<Q>>(registration: {
  queue: Q;
  job: N;
  concurrency: number;
  wakeRetriesOnRecovery?: boolean;
}): (target: abstract new (...args: never[]) => JobHandler<N>) => void {
  return (target) => applyDecorators(Injectable(), HandlerMetadata(registration))(target);
}

import { UnrecoverableError, type Job } from 'bullmq';
import { JOB_SCHEMAS, type JobData, type JobName } from '@tgg/contracts';
import { failureVerdict, horizonStartMs } from './job-options.js';

export type JobHandlers = { [N in JobName]?: (data: JobData<N>, job: Job) => Promise<void> };

export interface FinalFailure {
  job: Job;
  code: string;
  reason: string;
}

export interface RetryPolicy {
  /** DELIVERY_HORIZON_S: how long after the message arrived transient failures are still retried. */
  horizonMs: number;
  now?: () => number;
}

/**
 * Builds a BullMQ processor that parses each job by its name (a payload that does not parse is
 * permanent: retrying cannot fix it) and maps errors: transient → rethrow (backoff decides when,
 * the job keeps its chat's turn, so order holds); permanent, or transient past the delivery
 * horizon → `onFinalFailure` first (so the caller can release what the job held, e.g. its chat's
 * turn), then UnrecoverableError puts it in the failed set = dead letters, with its reason.
 */
export function createProcessor(handlers: JobHandlers, onFinalFailure: (failure: FinalFailure) => Promise<void>, policy: RetryPolicy) {
  const now = policy.now ?? Date.now;
  return async function processJob(job: Job): Promise<void> {
    const name = job.name as JobName; // checked on the next line: unknown names are refused
    const schema = JOB_SCHEMAS[name];
    const handler = handlers[name] as ((data: unknown, job: Job) => Promise<void>) | undefined; // narrowed by the name lookup above
    if (!schema || !handler) {
      await onFinalFailure({ job, code: 'unknown_job', reason: `no handler for job name ${job.name}` });
      throw new UnrecoverableError(`unknown_job: no handler for job name ${job.name}`);
    }
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) {
      const reason = `job data does not match ${name}: ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`;
      await onFinalFailure({ job, code: 'invalid_job_data', reason });
      throw new UnrecoverableError(`invalid_job_data: ${reason}`);
    }
    try {
      await handler(parsed.data, job);
    } catch (error) {
      const verdict = failureVerdict(error, now() - horizonStartMs(job.data, job.timestamp), policy.horizonMs);
      if (!verdict.final) throw error;
      await onFinalFailure({ job, code: verdict.code, reason: verdict.reason });
      throw new UnrecoverableError(`${verdict.code}: ${verdict.reason}`);
    }
  };
}

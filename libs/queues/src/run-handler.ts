import { UnrecoverableError, type Job } from 'bullmq';
import { BridgeError, JOB_SCHEMAS, type JobData, type JobName } from '@tgg/contracts';

export type JobHandlers = { [N in JobName]?: (data: JobData<N>, job: Job) => Promise<void> };

export interface FinalFailure {
  job: Job;
  code: string;
  reason: string;
}

/**
 * Builds a BullMQ processor that parses each job by its name (a payload that does not parse is
 * permanent: retrying cannot fix it) and maps errors: retryable → rethrow (backoff decides);
 * permanent, or retryable with no attempts left → `onFinalFailure` first (so the caller can release
 * what the job held, e.g. its chat's turn), then the job lands in the failed set = dead letters.
 */
export function createProcessor(handlers: JobHandlers, onFinalFailure: (failure: FinalFailure) => Promise<void>) {
  return async function processJob(job: Job): Promise<void> {
    const name = job.name as JobName; // checked on the next line: unknown names are refused
    const schema = JOB_SCHEMAS[name];
    const handler = handlers[name] as ((data: unknown, job: Job) => Promise<void>) | undefined; // narrowed by the name lookup above
    if (!schema || !handler) {
      await onFinalFailure({ job, code: 'unknown_job', reason: `no handler for job name ${job.name}` });
      throw new UnrecoverableError(`no handler for job name ${job.name}`);
    }
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) {
      const reason = `job data does not match ${name}: ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`;
      await onFinalFailure({ job, code: 'invalid_job_data', reason });
      throw new UnrecoverableError(reason);
    }
    try {
      await handler(parsed.data, job);
    } catch (error) {
      const attemptsLeft = (job.opts.attempts ?? 1) - (job.attemptsMade + 1);
      const permanent = error instanceof BridgeError && !error.retryable;
      if (permanent || attemptsLeft <= 0) {
        const code = error instanceof BridgeError ? error.code : 'unexpected_error';
        const reason = error instanceof Error ? error.message : String(error);
        await onFinalFailure({ job, code, reason });
        if (permanent) throw new UnrecoverableError(`${code}: ${reason}`);
      }
      throw error;
    }
  };
}


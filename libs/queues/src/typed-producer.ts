import type { JobsOptions, Queue } from 'bullmq';
import { JOB_SCHEMAS, type JobData, type JobName } from '@tgg/contracts';

/** BullMQ job ids must not contain ':' (Redis key separator); Genesys message ids do, so never reuse one for the other. */
export function toJobId(...parts: (string | number)[]): string {
  return parts.map((part) => String(part).replace(/[^A-Za-z0-9_.-]/g, '_')).join('.');
}

/** A producer that can only put the right payload under a job name, validated before it leaves. */
export class TypedProducer<N extends JobName> {
  constructor(
    readonly queue: Queue,
    private readonly jobName: N,
    private readonly baseOptions: JobsOptions,
  ) {}

  async add(data: JobData<N>, options: JobsOptions & { jobId: string }): Promise<void> {
    const checked = JOB_SCHEMAS[this.jobName].parse(data); // fail here, not three hops later
    await this.queue.add(this.jobName, checked, { ...this.baseOptions, ...options });
  }
}

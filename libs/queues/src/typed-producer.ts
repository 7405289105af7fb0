import type { JobsOptions, Queue } from 'bullmq';
import { JOB_SCHEMAS, type JobData, type JobName } from '@tgg/contracts';

// Job ids are made in contracts now (chat-turns derives turn job ids too); kept here for the apps that import it from queues.
export { toJobId } from '@tgg/contracts';

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

  /**
   * Like add, but BullMQ numbers the job from the queue's own counter (INCR inside the add script),
   * so the id is a sequence of arrival shared by every producer of the queue. Resolves with that id
   * (or, when `deduplication` matched, with the earlier job's id).
   */
  async addNumbered(data: JobData<N>, options: Omit<JobsOptions, 'jobId'> = {}): Promise<string | undefined> {
    const checked = JOB_SCHEMAS[this.jobName].parse(data);
    const job = await this.queue.add(this.jobName, checked, { ...this.baseOptions, ...options });
    return job.id;
  }

  /** Reads untrusted data (e.g. JSON kept in Redis) as this producer's payload; undefined when it does not fit. */
  parse(value: unknown): JobData<N> | undefined {
    const result = JOB_SCHEMAS[this.jobName].safeParse(value);
    // The schema is the one registered for N, but TypeScript cannot narrow an indexed generic lookup.
    return result.success ? (result.data as JobData<N>) : undefined;
  }
}

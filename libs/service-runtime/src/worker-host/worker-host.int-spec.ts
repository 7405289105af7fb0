import { Inject, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { APP_CONFIG, loadConfig } from '@tgg/config';
import { PermanentError, type GenesysReceiptReadyV1 } from '@tgg/contracts';
import { QueueName, defaultJobOptions, type FinalFailure } from '@tgg/queues';
import { BridgeMetrics } from '@tgg/telemetry';
import { eventually, redisUrl, testQueuePrefix } from '@tgg/testing';
import { LOGGER, METRICS, WORKER_REDIS } from '../tokens.js';
import { QueueJobHandler, type JobHandler } from './queue-job-handler.js';
import { CONSUMED_QUEUES, WorkerHost } from './worker-host.js';

// A receipt job: the smallest valid payload of a queue the host can consume.
const aReceipt = (id: string): GenesysReceiptReadyV1 => ({
  channel: 'default',
  receipt: { id, channel: { to: { id: '42' }, time: '2026-12-06T00:00:00.000Z' }, status: 'Delivered', isFinalReceipt: true },
  trace: {},
});

/** What the handlers below saw; one per app, injected. */
class Seen {
  readonly handled: string[] = [];
  readonly deadLetters: { jobId: string | undefined; code: string }[] = [];
}

@QueueJobHandler({ queue: QueueName.GenesysReceipts, job: 'genesys-receipt-ready.v1', concurrency: 2 })
class ReceiptsHandler implements JobHandler<'genesys-receipt-ready.v1'> {
  constructor(@Inject(Seen) private readonly seen: Seen) {}

  async handle(data: GenesysReceiptReadyV1): Promise<void> {
    if (data.receipt.id.startsWith('bad')) throw new PermanentError(`Genesys answered 400 for ${data.receipt.id}`, 'genesys_400');
    this.seen.handled.push(data.receipt.id);
  }

  async onDeadLetter({ job, code }: FinalFailure): Promise<void> {
    this.seen.deadLetters.push({ jobId: job.id, code });
  }
}

@QueueJobHandler({ queue: QueueName.GenesysReceipts, job: 'genesys-receipt-ready.v1', concurrency: 2 })
class SecondReceiptsHandler implements JobHandler<'genesys-receipt-ready.v1'> {
  async handle(): Promise<void> {}
}

describe('WorkerHost (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let queue: Queue;

  beforeAll(() => {
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
    queue = new Queue(QueueName.GenesysReceipts, { connection: redis, prefix });
  });
  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });
  afterAll(async () => {
    await redis.quit();
  });

  /** The host with what it injects; the Redis connection is the test's, so a refused boot leaves nothing open. */
  function hostModule(consumes: QueueName[], handlers: Provider[], metrics: BridgeMetrics): DynamicModule {
    const config = loadConfig({ REDIS_URL: redisUrl(), QUEUE_PREFIX: prefix, SHUTDOWN_DRAIN_MS: '1000', LOG_LEVEL: 'silent' });
    @Module({})
    class HostTestModule {}
    return {
      module: HostTestModule,
      imports: [DiscoveryModule],
      providers: [
        WorkerHost,
        Seen,
        { provide: CONSUMED_QUEUES, useValue: consumes },
        { provide: APP_CONFIG, useValue: config },
        { provide: WORKER_REDIS, useValue: redis },
        { provide: METRICS, useValue: metrics },
        { provide: LOGGER, useValue: pino({ level: 'silent' }) },
        ...handlers,
      ],
    };
  }

  const boot = (consumes: QueueName[], handlers: Provider[], metrics = new BridgeMetrics('outbound')) =>
    NestFactory.createApplicationContext(hostModule(consumes, handlers, metrics), { logger: false, abortOnError: false });

  it('refuses to boot when a job name of a consumed queue has no handler, naming queue and job', async () => {
    await expect(boot([QueueName.GenesysReceipts, QueueName.GenesysReplies], [ReceiptsHandler])).rejects.toThrow(
      'cannot start the workers: queue genesys-replies: no handler for job genesys-reply-received.v1',
    );
  });

  it('refuses to boot when one job name has two handlers, naming both', async () => {
    await expect(boot([QueueName.GenesysReceipts], [ReceiptsHandler, SecondReceiptsHandler])).rejects.toThrow(
      'cannot start the workers: queue genesys-receipts: job genesys-receipt-ready.v1 has 2 handlers (ReceiptsHandler, SecondReceiptsHandler)',
    );
  });

  it('runs jobs end to end: parsed data reaches the handler, a permanent failure is dead-lettered, counted and handed to onDeadLetter', async () => {
    const metrics = new BridgeMetrics('outbound');
    const app = await boot([QueueName.GenesysReceipts], [ReceiptsHandler], metrics);
    try {
      const seen = app.get(Seen);
      await queue.add('genesys-receipt-ready.v1', aReceipt('ok-1'), { ...defaultJobOptions(10), jobId: 'ok-1' });
      await queue.add('genesys-receipt-ready.v1', aReceipt('bad-1'), { ...defaultJobOptions(10), jobId: 'bad-1' });
      await queue.add('genesys-receipt-ready.v1', { channel: 'default' }, { ...defaultJobOptions(10), jobId: 'unreadable-1' });
      await eventually(async () => expect(await queue.getJobState('ok-1')).toBe('completed'));
      await eventually(async () => expect(await queue.getJobState('bad-1')).toBe('failed'));
      await eventually(async () => expect(await queue.getJobState('unreadable-1')).toBe('failed'));

      expect(seen.handled).toEqual(['ok-1']);
      expect((await queue.getJob('bad-1'))?.failedReason).toBe('genesys_400: Genesys answered 400 for bad-1');
      expect((await queue.getJob('unreadable-1'))?.failedReason).toMatch(/^invalid_job_data: /);
      expect([...seen.deadLetters].sort((a, b) => String(a.jobId).localeCompare(String(b.jobId)))).toEqual([
        { jobId: 'bad-1', code: 'genesys_400' },
        { jobId: 'unreadable-1', code: 'invalid_job_data' },
      ]);
      const counted = (await metrics.deadLetters.get()).values.map(({ labels, value }) => ({ ...labels, value }));
      expect(counted).toEqual(expect.arrayContaining([
        { queue: 'genesys-receipts', code: 'genesys_400', value: 1 },
        { queue: 'genesys-receipts', code: 'invalid_job_data', value: 1 },
      ]));
      expect(counted).toHaveLength(2);
    } finally {
      await app.close();
    }
  });

  it('drains its workers on shutdown: a job still running at the end of SHUTDOWN_DRAIN_MS goes back to its queue, attempt unspent', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    @QueueJobHandler({ queue: QueueName.GenesysReceipts, job: 'genesys-receipt-ready.v1', concurrency: 1 })
    class StuckHandler implements JobHandler<'genesys-receipt-ready.v1'> {
      async handle(_data: GenesysReceiptReadyV1, _job: Job): Promise<void> {
        started();
        await new Promise<never>(() => undefined); // a call that never answers within the budget
      }
    }
    const app = await boot([QueueName.GenesysReceipts], [StuckHandler]);
    await queue.add('genesys-receipt-ready.v1', aReceipt('stuck'), { ...defaultJobOptions(10), jobId: 'stuck' });
    await running;
    await app.get(WorkerHost).drain();
    expect(await queue.getJobState('stuck')).toBe('waiting');
    expect((await queue.getJob('stuck'))?.attemptsMade).toBe(0);
    await app.close(); // its shutdown hook finds the workers drained
  });

  it('ties a handler to a job name its queue carries (compile-time)', () => {
    // @ts-expect-error genesys-receipts does not carry telegram-reply-ready.v1
    expect(typeof QueueJobHandler({ queue: QueueName.GenesysReceipts, job: 'telegram-reply-ready.v1', concurrency: 1 })).toBe('function');
  });
});

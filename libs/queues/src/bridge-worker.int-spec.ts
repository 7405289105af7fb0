import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { PermanentError, RetryableError } from '@tgg/contracts';
import { eventually, redisUrl, testQueuePrefix } from '@tgg/testing';
import { createBridgeWorker, type BridgeWorker } from './bridge-worker.js';
import { defaultJobOptions } from './job-options.js';
import { QueueName } from './queue-names.js';
import { createProcessor, type FinalFailure } from './run-handler.js';

// A receipt job carries no receivedAtMs: its horizon runs from when the job was created.
const aReceipt = (id: string) => ({
  channel: 'default',
  receipt: { id, channel: { to: { id: '42' }, time: '2026-12-06T00:00:00.000Z' }, status: 'Delivered' as const, isFinalReceipt: true },
  trace: {},
});

describe('bridge worker: dead letters and the delivery horizon (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let queue: Queue;
  let worker: BridgeWorker | undefined;

  beforeAll(() => {
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  });
  beforeEach(async () => {
    prefix = testQueuePrefix();
    queue = new Queue(QueueName.GenesysReceipts, { connection: redis, prefix });
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await queue.obliterate({ force: true });
    await queue.close();
  });
  afterAll(async () => {
    await redis.quit();
  });

  function startWorker(handle: (id: string) => Promise<void>, options: { deadLetterKeep: number; horizonMs: number; finalFailures?: FinalFailure[]; dropped?: number[] }): void {
    const processor = createProcessor(
      { 'genesys-receipt-ready.v1': (data) => handle(data.receipt.id) },
      async (failure) => {
        options.finalFailures?.push(failure);
      },
      { horizonMs: options.horizonMs },
    );
    worker = createBridgeWorker(QueueName.GenesysReceipts, processor, {
      connection: redis,
      prefix,
      concurrency: 1,
      lockDurationMs: 6000,
      retryMaxDelayMs: 200,
      deadLetterKeep: options.deadLetterKeep,
      onDeadLettersDropped: (count) => options.dropped?.push(count),
      drainBudgetMs: 1000,
    });
    void worker.run();
  }

  it('keeps only the newest DEAD_LETTER_KEEP dead letters and counts the ones it dropped', async () => {
    const dropped: number[] = [];
    startWorker(async (id) => {
      throw new PermanentError(`Genesys answered 400 for ${id}`, 'genesys_400');
    }, { deadLetterKeep: 3, horizonMs: 60_000, dropped });
    for (let i = 1; i <= 5; i++) {
      await queue.add('genesys-receipt-ready.v1', aReceipt(`r${i}`), { ...defaultJobOptions(3), jobId: `r${i}` });
      // One at a time, so "newest" is well defined.
      await eventually(async () => expect(await queue.getJobState(`r${i}`)).toMatch(/^(failed|unknown)$/));
    }
    const kept = await queue.getFailed();
    expect(kept.every((job) => job.failedReason.startsWith('genesys_400: '))).toBe(true);
    expect(kept.map((job) => job.id).sort()).toEqual(['r3', 'r4', 'r5']);
    expect(kept.every((job) => job.attemptsMade === 1)).toBe(true);
    expect(dropped.reduce((sum, count) => sum + count, 0)).toBe(2);
  });

  it('retries a transient failure past any attempt count while the message is young, then dead-letters it at its horizon', async () => {
    const finalFailures: FinalFailure[] = [];
    const attempts: number[] = [];
    startWorker(async () => {
      attempts.push(Date.now());
      throw new RetryableError('Genesys answered 503', 'genesys_503');
    }, { deadLetterKeep: 10, horizonMs: 4000, finalFailures });
    await queue.add('genesys-receipt-ready.v1', aReceipt('r1'), { ...defaultJobOptions(10), jobId: 'r1' });
    await eventually(async () => expect(await queue.getJobState('r1')).toBe('failed'), 15_000, 100);
    expect(attempts.length).toBeGreaterThan(12);
    expect(attempts.at(-1)! - attempts[0]!).toBeGreaterThanOrEqual(3500);
    expect(finalFailures.map((failure) => failure.code)).toEqual(['delivery_horizon']);
    expect(finalFailures[0]?.reason).toContain('last error genesys_503: Genesys answered 503');
    expect((await queue.getJob('r1'))?.failedReason).toMatch(/^delivery_horizon: still failing after 4 s/);
  });

  it('wakes its waiting retries as soon as a job succeeds after an outage, instead of when each backoff ends', async () => {
    const processedAtMs = new Map<string, number>();
    const failedOnce = new Set<string>();
    startWorker(async (id) => {
      if (!failedOnce.has(id)) {
        failedOnce.add(id);
        throw new RetryableError('Genesys answered 503', 'genesys_503');
      }
      processedAtMs.set(id, Date.now());
    }, { deadLetterKeep: 10, horizonMs: 60_000 });
    // r2 failed in the outage and its next try is far away (up to RETRY_MAX_DELAY_S in production).
    await queue.add('genesys-receipt-ready.v1', aReceipt('r2'), { ...defaultJobOptions(10), jobId: 'r2' });
    await eventually(async () => expect(await queue.getJobState('r2')).toBe('delayed'), 10_000, 20);
    await (await queue.getJob('r2'))?.changeDelay(60_000);
    const recoveredAtMs = Date.now();
    // r1 fails once too, then succeeds: the peer is back.
    await queue.add('genesys-receipt-ready.v1', aReceipt('r1'), { ...defaultJobOptions(10), jobId: 'r1' });
    await eventually(() => expect([...processedAtMs.keys()].sort()).toEqual(['r1', 'r2']), 15_000, 50);
    expect((processedAtMs.get('r2') ?? Infinity) - recoveredAtMs).toBeLessThan(10_000);
  });

  it('leaves a rate-limited retry to its Retry-After when another job succeeds', async () => {
    const processedAtMs = new Map<string, number>();
    const failedOnce = new Set<string>();
    startWorker(async (id) => {
      if (!failedOnce.has(id)) {
        failedOnce.add(id);
        throw id === 'r2' ? new RetryableError('Genesys answered 429', 'genesys_429', 60_000) : new RetryableError('Genesys answered 503', 'genesys_503');
      }
      processedAtMs.set(id, Date.now());
    }, { deadLetterKeep: 10, horizonMs: 60_000 });
    await queue.add('genesys-receipt-ready.v1', aReceipt('r2'), { ...defaultJobOptions(10), jobId: 'r2' });
    await eventually(async () => expect(await queue.getJobState('r2')).toBe('delayed'), 10_000, 20);
    await queue.add('genesys-receipt-ready.v1', aReceipt('r1'), { ...defaultJobOptions(10), jobId: 'r1' });
    // r1 completes only after the worker decided which retries to wake.
    await eventually(async () => expect(await queue.getJobState('r1')).toBe('completed'), 15_000, 50);
    expect(await queue.getJobState('r2')).toBe('delayed');
    expect([...processedAtMs.keys()]).toEqual(['r1']);
  });
});

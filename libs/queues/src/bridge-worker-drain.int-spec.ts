import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { eventually, redisUrl, testQueuePrefix } from '@tgg/testing';
import { createBridgeWorker, type BridgeWorker } from './bridge-worker.js';
import { defaultJobOptions } from './job-options.js';
import { QueueName } from './queue-names.js';

const aReceipt = (id: string) => ({
  channel: 'default',
  receipt: { id, channel: { to: { id: '42' }, time: '2026-12-06T00:00:00.000Z' }, status: 'Delivered' as const, isFinalReceipt: true },
  trace: {},
});

/** The product's lock: without a hand-back, a job left by a stopped worker would wait ≈ 8 s for the stalled check. */
const LOCK_MS = 6000;
const DRAIN_BUDGET_MS = 500;

describe('bridge worker: drain on shutdown (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let queue: Queue;
  const workers: BridgeWorker[] = [];

  beforeAll(() => {
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
    queue = new Queue(QueueName.GenesysReceipts, { connection: redis, prefix });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close(true)));
    await queue.obliterate({ force: true });
    await queue.close();
  });
  afterAll(async () => {
    await redis.quit();
  });

  function startWorker(process: (job: Job) => Promise<void>): BridgeWorker {
    const worker = createBridgeWorker(QueueName.GenesysReceipts, process, {
      connection: redis,
      prefix,
      concurrency: 5,
      lockDurationMs: LOCK_MS,
      retryMaxDelayMs: 200,
      deadLetterKeep: 100,
      onDeadLettersDropped: () => undefined,
      drainBudgetMs: DRAIN_BUDGET_MS,
    });
    workers.push(worker);
    void worker.run();
    return worker;
  }

  it('lets a job that finishes within the budget complete and hands nothing back', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const started = new Promise<void>((resolve) => {
      startWorker(async () => {
        resolve();
        await released;
      });
    });
    const old = workers[0]!;
    await queue.add('genesys-receipt-ready.v1', aReceipt('quick'), { ...defaultJobOptions(3), jobId: 'quick' });
    await started;
    const drained = old.drain();
    setTimeout(release, DRAIN_BUDGET_MS / 5);
    expect(await drained).toEqual({ handedBack: [] });
    expect(await queue.getJobState('quick')).toBe('completed');
    expect(old.isRunning()).toBe(false);
  });

  it('hands a job still running at the end of the budget back at once: another worker resumes it within 2 s, same id, no attempt spent', async () => {
    const started = new Promise<void>((resolve) => {
      startWorker(async () => {
        resolve();
        await new Promise<never>(() => undefined); // a call that never answers within the budget
      });
    });
    const old = workers[0]!;
    await queue.add('genesys-receipt-ready.v1', aReceipt('stuck'), { ...defaultJobOptions(3), jobId: 'stuck' });
    await started;
    const resumedBy: { id: string | undefined; attemptsMade: number; atMs: number }[] = [];
    startWorker(async (job) => {
      resumedBy.push({ id: job.id, attemptsMade: job.attemptsMade, atMs: Date.now() });
    });

    const drainStartMs = Date.now();
    const outcome = await old.drain();
    const handedBackAtMs = Date.now();
    expect(outcome).toEqual({ handedBack: ['stuck'] });
    expect(handedBackAtMs - drainStartMs).toBeLessThan(DRAIN_BUDGET_MS + 1000);
    await eventually(async () => expect(await queue.getJobState('stuck')).toBe('completed'), 2000);
    expect(resumedBy).toHaveLength(1);
    expect(resumedBy[0]).toMatchObject({ id: 'stuck', attemptsMade: 0 });
    // The hand-back happens when the budget ends; drain() returns only after the forced close that follows.
    const resumeMs = resumedBy[0]!.atMs - (drainStartMs + DRAIN_BUDGET_MS);
    expect(resumeMs).toBeLessThan(2000);
    console.info(`handed-back job resumed ${resumeMs} ms after the drain budget ended (lock ${LOCK_MS} ms)`);
  });
});

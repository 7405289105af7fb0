import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ALL_QUEUES, QueueName } from '@tgg/queues';
import { CliHarness, redisUrl } from '@tgg/testing';
import { runCli, type RunCliOptions } from './run-cli.js';

/** Customer text lives in payloads; the DLQ commands must never print it. */
const CUSTOMER_TEXT = 'my card number is 4111 1111 1111 1111';

describe('npm run cli -- dlq', () => {
  let harness: CliHarness<RunCliOptions>;
  let connection: Redis;
  const queues = new Map<QueueName, Queue>();

  const queueOf = (name: QueueName): Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix: harness.queuePrefix });
      queues.set(name, queue);
    }
    return queue;
  };

  /** Adds jobs with one attempt and lets a real worker fail them, so they land in the failed set as in production. */
  async function failJobs(name: QueueName, count: number, reason: string): Promise<string[]> {
    const queue = queueOf(name);
    const jobs = await Promise.all(
      Array.from({ length: count }, (_, index) => queue.add('telegram-reply-ready.v1', { text: CUSTOMER_TEXT, index }, { attempts: 1, removeOnFail: false })),
    );
    await failWaitingJobs(name, count, reason);
    return jobs.map((job) => job.id ?? '');
  }

  async function failWaitingJobs(name: QueueName, count: number, reason: string): Promise<void> {
    const workerConnection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const worker = new Worker(name, async () => Promise.reject(new Error(reason)), { connection: workerConnection, prefix: harness.queuePrefix, autorun: false });
    let failed = 0;
    const allFailed = new Promise<void>((resolve, reject) => {
      worker.on('failed', () => {
        failed += 1;
        if (failed === count) resolve();
      });
      worker.on('error', reject);
    });
    void worker.run(); // resolves only when the worker closes; failures arrive through the listeners above
    await allFailed;
    await worker.close();
    await workerConnection.quit();
  }

  beforeAll(async () => {
    harness = await CliHarness.start(runCli);
    connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    for (const name of ALL_QUEUES) await queueOf(name).obliterate({ force: true });
    await Promise.all([...queues.values()].map((queue) => queue.close()));
    await connection.quit();
    await harness.close();
  });

  it('says so when no queue has failed jobs', async () => {
    const listed = await harness.run(['dlq', 'list']);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toContain(`no failed jobs (queue prefix "${harness.queuePrefix}", ${ALL_QUEUES.length} queues)`);
  });

  it('lists failed jobs of every queue with metadata only, never the payload', async () => {
    const sendIds = await failJobs(QueueName.TelegramSends, 3, 'Telegram 400: Bad Request: chat not found');
    const inboundIds = await failJobs(QueueName.GenesysInbound, 1, `Genesys answered 400 ${'x'.repeat(200)}`);
    const listed = await harness.run(['dlq', 'list']);
    expect(listed.exitCode).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^QUEUE\s+JOB ID\s+NAME\s+ATTEMPTS\s+FAILED AT\s+REASON$/);
    for (const id of sendIds) {
      expect(lines.some((line) => new RegExp(`^telegram-sends\\s+${id}\\s+telegram-reply-ready\\.v1\\s+1/1\\s+\\d{4}-\\d\\d-\\d\\dT\\S+\\s+Telegram 400: Bad Request: chat not found$`).test(line))).toBe(true);
    }
    const inboundLine = lines.find((line) => line.startsWith(`genesys-inbound  ${inboundIds[0]} `)) ?? '';
    expect(inboundLine).toContain('Genesys answered 400 xxx');
    expect(inboundLine.endsWith('…')).toBe(true);
    expect(lines.at(-1)).toContain('4 failed job(s)');
    expect(listed.stdout).not.toContain('4111');
    expect(listed.stdout).not.toContain(CUSTOMER_TEXT);
  });

  it('limits the listing per queue and filters by --queue', async () => {
    const limited = await harness.run(['dlq', 'list', '--queue', 'telegram-sends', '--limit', '2']);
    expect(limited.exitCode).toBe(0);
    expect(limited.stdout.trim().split('\n').filter((line) => line.startsWith('telegram-sends'))).toHaveLength(2);
    expect(limited.stdout).not.toContain('genesys-inbound');
    expect(limited.stdout).toContain('3 failed job(s)');
    expect(limited.stdout).toContain('raise --limit');

    const unknown = await harness.run(['dlq', 'list', '--queue', 'dead-letters']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('--queue: unknown queue; one of telegram-updates');
    expect((await harness.run(['dlq', 'list', '--limit', 'many'])).exitCode).toBe(1);
  });

  it('replays failed jobs back to waiting with a fresh delivery horizon', async () => {
    const beforeReplayMs = Date.now();
    const replayed = await harness.run(['dlq', 'replay', '--queue', 'telegram-sends']);
    expect(replayed.exitCode).toBe(0);
    expect(replayed.stdout).toContain('✓ telegram-sends: 3 failed job(s) moved back to waiting');
    expect(replayed.stdout).toContain('3 job(s) replayed');
    const sends = queueOf(QueueName.TelegramSends);
    expect(await sends.getFailedCount()).toBe(0);
    expect(await sends.getWaitingCount()).toBe(3);
    expect((await sends.getWaiting()).every((job) => job.attemptsMade === 0)).toBe(true);
    // The horizon restarts from the replay (the job's data notes when), so an old message gets its full horizon again.
    expect((await sends.getWaiting()).map((job) => (job.data as { replayedAtMs?: number }).replayedAtMs ?? 0).every((atMs) => atMs >= beforeReplayMs)).toBe(true);
    expect(await queueOf(QueueName.GenesysInbound).getFailedCount()).toBe(1);
  });

  it('replays one job by id, which needs --queue', async () => {
    const [jobId] = await failJobs(QueueName.GenesysReceipts, 2, 'Genesys answered 503');
    expect((await harness.run(['dlq', 'replay', '--job', jobId ?? ''])).stderr).toContain('--job needs --queue');
    const replayed = await harness.run(['dlq', 'replay', '--queue', 'genesys-receipts', '--job', jobId ?? '']);
    expect(replayed.exitCode).toBe(0);
    expect(replayed.stdout).toContain('1 job(s) replayed');
    const receipts = queueOf(QueueName.GenesysReceipts);
    expect(await receipts.getJobState(jobId ?? '')).toBe('waiting');
    expect(await receipts.getFailedCount()).toBe(1);
    const again = await harness.run(['dlq', 'replay', '--queue', 'genesys-receipts', '--job', jobId ?? '']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('is waiting, not failed');
  });

  it('purges failed jobs only with --yes', async () => {
    await failWaitingJobs(QueueName.TelegramSends, 3, 'Telegram 403: Forbidden: bot was blocked by the user');
    const sends = queueOf(QueueName.TelegramSends);
    expect(await sends.getFailedCount()).toBe(3);

    const refused = await harness.run(['dlq', 'purge']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('--yes');
    expect(await sends.getFailedCount()).toBe(3);

    const purged = await harness.run(['dlq', 'purge', '--yes']);
    expect(purged.exitCode).toBe(0);
    expect(purged.stdout).toContain('✓ telegram-sends: 3 failed job(s) deleted');
    expect(purged.stdout).toContain('5 job(s) purged'); // 3 sends, 1 inbound, 1 receipt
    for (const name of ALL_QUEUES) expect(await queueOf(name).getFailedCount()).toBe(0);
    expect((await harness.run(['dlq', 'list'])).stdout).toContain('no failed jobs');
  });

  it('fails in one line when Redis is unreachable', async () => {
    const down = await harness.run(['dlq', 'list'], { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(/^error: Redis is unreachable at redis:\/\/127\.0\.0\.1:1 \(.*\): start it/);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
  });
});

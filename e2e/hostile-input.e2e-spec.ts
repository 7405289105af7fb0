import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { signGenesysWebhook } from '@tgg/genesys';
import { HTTP_TIMEOUTS, WEBHOOK_BODY_LIMIT_BYTES } from '@tgg/service-runtime';
import { ALL_QUEUES, QueueName } from '@tgg/queues';
import { BridgeHarness, HARNESS_CREDENTIALS, eventually, redisUrl, type BridgeServiceName } from '@tgg/testing';
import { MIB, buildBody, hostileRequest, wrapForContentType, type HostileRequest, type Target } from './support/hostile-requests.js';
import { GC_MARKER, GC_PRELOAD, isAlive, rssBytesOf, type MemoryAfterGc } from './support/process-memory.js';
import { REQUEST_FAILSAFE_MS, fullUpload, oversizedUpload, slowLoris, type SlowLorisOutcome } from './support/raw-sockets.js';

/**
 * Hostile input against the real ingress and outbound processes: fast-check generates bodies that
 * are random, deep, huge, wrongly typed, oddly encoded, truncated or not JSON at all, sends them
 * with the right Telegram secret or a valid Genesys signature over exactly the bytes sent (so they
 * reach the parsers rather than bouncing at the auth check), and checks that every answer is a 2xx
 * or a 4xx, that a 4xx enqueues nothing, and that both processes stay up with flat memory while a
 * slow-loris upload is going on next to them.
 *
 * A 2xx is not an error: a body may be a valid envelope. Ingress checks only the envelope (integer
 * update_id ≥ 0); an update with a forwardable kind is enqueued even when its message would fail
 * deep validation (the sequencer dead-letters it later, by design), any other kind is acknowledged
 * and ignored, and a repeated update_id is acknowledged and does nothing. Outbound enqueues an
 * authentic, well-formed Text/Structured/Event, acknowledges a Receipt and a repeated message id.
 * So a 2xx adds at most one job to its webhook's queue; a 4xx adds none. The content type is not
 * looked at (raw-body.ts): the bytes decide, so a valid update sent as text/plain is still a 200.
 * Router-level refusals (a broken %-escape in :channel → 400, one over 100 characters → 414) come
 * from Fastify in its own JSON shape; they still carry `error` and `message`.
 */

const SEED = Number(process.env['FUZZ_SEED'] ?? 20_260_611);
/** Requests per webhook; with the rest of the file this keeps it well under a minute on 2 cores. */
const RUNS_PER_WEBHOOK = 600;
/** RSS a process may gain over the storms after warm-up; a leak of request bodies would be far past it. */
const RSS_GROWTH_BOUND_BYTES = 64 * MIB;
/** The same for the V8 heap in use after a full collection: the sharper leak signal. */
const HEAP_GROWTH_BOUND_BYTES = 32 * MIB;

describe('hostile input: both webhooks under fuzz, slow loris and oversized uploads', () => {
  let bridge: BridgeHarness;
  let redis: Redis;
  let queues: Map<string, Queue>;
  const pidOf = (service: BridgeServiceName): number => {
    const pid = bridge.pidOf(service);
    if (pid === undefined) throw new Error(`${service} is not running`);
    return pid;
  };
  const statuses = new Map<string, number>();
  let requestsSent = 0;
  let jobsBeforeStorm = 0;
  let slowLorises: Promise<[SlowLorisOutcome, SlowLorisOutcome, SlowLorisOutcome]>;
  const memoryAfterWarmUp: Partial<Record<BridgeServiceName, MemoryAfterGc>> = {};
  const preloadDir = mkdtempSync(path.join(os.tmpdir(), 'tgg-hostile-'));

  /** Two full collections in the service (the second lets the allocator hand pages back), then its RSS and heap. */
  async function memoryAfterGc(service: BridgeServiceName): Promise<MemoryAfterGc> {
    const pid = pidOf(service);
    let heapUsed = 0;
    for (let round = 0; round < 2; round++) {
      const reportsBefore = [...bridge.logsOf(service).matchAll(GC_MARKER)].length;
      process.kill(pid, 'SIGWINCH');
      heapUsed = await eventually(() => {
        const reports = [...bridge.logsOf(service).matchAll(GC_MARKER)];
        expect(reports.length).toBeGreaterThan(reportsBefore);
        return Number(reports.at(-1)?.[1]);
      });
    }
    return { rss: rssBytesOf(pid), heapUsed };
  }

  async function jobsIn(queueName: string): Promise<number> {
    const queue = queues.get(queueName);
    if (!queue) throw new Error(`no queue ${queueName}`);
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  async function jobsInAllQueues(): Promise<number> {
    let total = 0;
    for (const name of ALL_QUEUES) total += await jobsIn(name);
    return total;
  }

  /** Posts to a webhook as its sender would authenticate; a rejected fetch (reset, hang) fails the caller. */
  async function post(target: Target, request: HostileRequest): Promise<{ status: number; body: string }> {
    const { bytes, header } = wrapForContentType(buildBody(target, request.body), request.contentType);
    const headers: Record<string, string> = {};
    if (header !== undefined) headers['content-type'] = header;
    if (target === 'telegram') headers['x-telegram-bot-api-secret-token'] = HARNESS_CREDENTIALS.webhookSecret;
    else headers['x-hub-signature-256'] = signGenesysWebhook(bytes, HARNESS_CREDENTIALS.genesysWebhookSecret);
    const url = target === 'telegram' ? `${bridge.url('ingress')}/telegram/webhook/` : `${bridge.url('outbound')}/genesys/webhook/`;
    const response = await fetch(url + request.channel, { method: 'POST', headers, body: bytes, signal: AbortSignal.timeout(REQUEST_FAILSAFE_MS) });
    const body = await response.text();
    requestsSent++;
    const code = /"error":"([a-z_0-9]+)"/.exec(body)?.[1] ?? (response.status < 300 ? 'ok' : '?');
    const key = `${target} ${response.status} ${code}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    return { status: response.status, body };
  }

  /** The property both storms check: 2xx or 4xx, a 4xx with the JSON error shape and no job, a 2xx with at most one. */
  function webhookStorm(target: Target, queueName: string, seed: number): Promise<void> {
    return fc.assert(
      fc.asyncProperty(hostileRequest(target), async (request) => {
        const before = await jobsIn(queueName);
        const { status, body } = await post(target, request);
        const after = await jobsIn(queueName);
        expect(`${status} ${body.slice(0, 200)}`).toMatch(/^[24]\d\d /);
        if (status >= 400) {
          expect(JSON.parse(body)).toEqual(expect.objectContaining({ error: expect.any(String), message: expect.any(String) }));
          expect(after - before).toBe(0);
        } else {
          expect(after - before).toBeGreaterThanOrEqual(0);
          expect(after - before).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: RUNS_PER_WEBHOOK, seed, endOnFailure: true },
    );
  }

  beforeAll(async () => {
    const preload = path.join(preloadDir, 'gc-on-signal.cjs');
    writeFileSync(preload, GC_PRELOAD);
    bridge = await BridgeHarness.start({ services: ['ingress', 'outbound'], keepAllLogs: true, env: { NODE_OPTIONS: `--expose-gc --require ${preload}` } });
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    queues = new Map(ALL_QUEUES.map((name) => [name, new Queue(name, { connection: redis, prefix: bridge.queuePrefix })]));
    process.stdout.write(`hostile-input: fast-check seed ${SEED} (FUZZ_SEED=<n> to change)\n`);

    // Slow lorises run next to everything below: their sockets must be cut, the storm must be served.
    // Each announces 4 KiB and sends 4 bytes a second: it would take over 15 minutes to finish.
    const failsafeMs = HTTP_TIMEOUTS.requestMs + HTTP_TIMEOUTS.checkIntervalMs + 10_000;
    slowLorises = Promise.all([
      slowLoris(
        bridge.ports.ingress,
        `POST /telegram/webhook/default HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: ${HARNESS_CREDENTIALS.webhookSecret}\r\nContent-Length: 4096\r\n\r\n`,
        '{"',
        500,
        failsafeMs,
      ),
      slowLoris(
        bridge.ports.outbound,
        `POST /genesys/webhook/default HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Hub-Signature-256: sha256=${'A'.repeat(43)}=\r\nContent-Length: 4096\r\n\r\n`,
        '{"',
        500,
        failsafeMs,
      ),
      // Headers that never end: the headers timeout applies.
      slowLoris(bridge.ports.ingress, 'POST /telegram/webhook/default HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-a: b\r\n', 500, failsafeMs),
    ]);

    // Warm-up: the same mix through both webhooks (other seeds), so the heap, JIT code and Redis
    // connections have grown to their working size before the baseline RSS is taken.
    await fc.assert(fc.asyncProperty(hostileRequest('telegram'), async (request) => void (await post('telegram', request))), { numRuns: 100, seed: SEED + 1 });
    await fc.assert(fc.asyncProperty(hostileRequest('genesys'), async (request) => void (await post('genesys', request))), { numRuns: 100, seed: SEED + 2 });
    // Near-limit bodies drive the size of the heap: a few of each kind, so the baseline is a working size.
    for (const target of ['telegram', 'genesys'] as const) {
      for (const unit of ['ascii', 'two-byte', 'emoji', 'escaped-nul'] as const) {
        for (const where of ['text', 'key', 'extra', 'kind'] as const) await post(target, { body: { kind: 'huge', bytes: MIB - 4096, unit, where }, contentType: 'application/json', channel: 'default' });
      }
    }
    memoryAfterWarmUp.ingress = await memoryAfterGc('ingress');
    memoryAfterWarmUp.outbound = await memoryAfterGc('outbound');
    jobsBeforeStorm = await jobsInAllQueues();
  }, 60_000);

  afterAll(async () => {
    process.stdout.write(
      `hostile-input: ${requestsSent} requests; ${[...statuses.entries()]
        .sort()
        .map(([key, count]) => `${key}: ${count}`)
        .join(', ')}\n`,
    );
    await bridge?.stop();
    if (redis && bridge) {
      // Accepted fuzz bodies (some near 1 MiB) and their bookkeeping stay in Redis otherwise.
      for (const queue of queues.values()) await queue.obliterate({ force: true });
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${bridge.queuePrefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    }
    rmSync(preloadDir, { recursive: true, force: true });
  });

  it('answers every fuzzed Telegram webhook with 2xx or 4xx, and a 4xx enqueues nothing', async () => {
    await webhookStorm('telegram', QueueName.TelegramUpdates, SEED);
  }, 60_000);

  it('answers every fuzzed, validly signed Genesys webhook with 2xx or 4xx, and a 4xx enqueues nothing', async () => {
    await webhookStorm('genesys', QueueName.GenesysReplies, SEED);
  }, 60_000);

  const oversizedCases = [
    ['ingress', '/telegram/webhook/default', `X-Telegram-Bot-Api-Secret-Token: ${HARNESS_CREDENTIALS.webhookSecret}`],
    ['outbound', '/genesys/webhook/default', `X-Hub-Signature-256: sha256=${'A'.repeat(43)}=`],
  ] as const;

  it.each(oversizedCases)('%s answers 413 to a 5 MiB Content-Length from the header alone, and the client sees it', async (service, path, authHeader) => {
    const rssBefore = rssBytesOf(pidOf(service));
    const total = 5 * MIB;
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${authHeader}\r\nContent-Length: ${total}\r\n\r\n`;
    const outcome = await oversizedUpload(bridge.ports[service], head, { chunked: false, totalBytes: total, pauseAfterBytes: 64 * 1024 });
    // Answered while 64 KiB of 5 MiB were on their way: decided from Content-Length, nothing buffered.
    expect(outcome.bodyBytesSentAtAnswer).toBeLessThanOrEqual(64 * 1024);
    expect(outcome.response).toMatch(/^HTTP\/1\.1 413 [^]*"error":"body_too_large"/);
    // The client went on writing all 5 MiB, as many do: still exactly one answer, and no reset that
    // would have thrown the 413 away before the client read it.
    expect(outcome.response.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(outcome.errors).toEqual([]);
    expect(rssBytesOf(pidOf(service)) - rssBefore).toBeLessThan(total);
  });

  it.each(oversizedCases.flatMap(([service, path, authHeader]) => (['keep-alive', 'close', 'HTTP/1.0'] as const).map((connection) => [service, connection, path, authHeader] as const)))(
    '%s answers 413 to a client that writes a full 2 MiB body before reading (%s), and the client reads it',
    async (service, connection, path, authHeader) => {
      const total = 2 * MIB;
      const requestLine = connection === 'HTTP/1.0' ? `POST ${path} HTTP/1.0` : `POST ${path} HTTP/1.1`;
      const connectionHeader = connection === 'close' ? 'Connection: close\r\n' : '';
      const head = `${requestLine}\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${authHeader}\r\n${connectionHeader}Content-Length: ${total}\r\n\r\n`;
      const jobsBefore = await jobsInAllQueues();
      const outcome = await fullUpload(bridge.ports[service], head, total);
      // Node closes such connections right after the answer; unread bytes then turn the close into a
      // reset, and the client's write fails (EPIPE) before it reads anything. The rest must be read.
      expect(outcome.errors).toEqual([]);
      expect(outcome.bodyBytesWritten).toBe(total);
      expect(outcome.response).toMatch(/^HTTP\/1\.1 413 [^]*\r\n\r\n\{"error":"body_too_large","message":"[^"]+"\}$/);
      expect(await jobsInAllQueues()).toBe(jobsBefore);
    },
  );

  it.each(oversizedCases)('%s answers 413 to a chunked upload once it passes 1 MiB, and enqueues nothing', async (service, path, authHeader) => {
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${authHeader}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const jobsBefore = await jobsInAllQueues();
    const pauseAfterBytes = WEBHOOK_BODY_LIMIT_BYTES + 64 * 1024;
    const outcome = await oversizedUpload(bridge.ports[service], head, { chunked: true, totalBytes: 4 * MIB, pauseAfterBytes });
    // No length to go by: the answer comes once the limit is crossed, not at the end of the upload.
    expect(outcome.bodyBytesSentAtAnswer).toBeGreaterThan(WEBHOOK_BODY_LIMIT_BYTES - 128 * 1024);
    expect(outcome.bodyBytesSentAtAnswer).toBeLessThanOrEqual(pauseAfterBytes);
    expect(outcome.response).toMatch(/^HTTP\/1\.1 413 [^]*"error":"body_too_large"/);
    expect(outcome.response.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(outcome.errors).toEqual([]);
    expect(await jobsInAllQueues()).toBe(jobsBefore);
  });

  it('cuts slow-loris uploads with 408 after the request timeout, serving everyone else meanwhile', async () => {
    const [ingressBody, outboundBody, ingressHeaders] = await slowLorises;
    // The storms above ran while these dribbled; they were served (or their tests failed). Now cut:
    expect(ingressBody).toEqual(expect.objectContaining({ statusLine: expect.stringMatching(/^HTTP\/1\.1 408 /) }));
    expect(outboundBody).toEqual(expect.objectContaining({ statusLine: expect.stringMatching(/^HTTP\/1\.1 408 /) }));
    expect(ingressHeaders).toEqual(expect.objectContaining({ statusLine: expect.stringMatching(/^HTTP\/1\.1 408 /) }));
    const slack = HTTP_TIMEOUTS.checkIntervalMs + 5_000; // the sweep interval, plus a busy machine
    expect(ingressBody.closedAfterMs).toBeLessThanOrEqual(HTTP_TIMEOUTS.requestMs + slack);
    expect(outboundBody.closedAfterMs).toBeLessThanOrEqual(HTTP_TIMEOUTS.requestMs + slack);
    expect(ingressHeaders.closedAfterMs).toBeLessThanOrEqual(HTTP_TIMEOUTS.headersMs + slack);
    expect(ingressBody.closedAfterMs).toBeGreaterThanOrEqual(HTTP_TIMEOUTS.requestMs - 1_000);
    // And still serving once they are gone.
    expect((await fetch(`${bridge.url('ingress')}/health/live`)).status).toBe(200);
  }, HTTP_TIMEOUTS.requestMs + 20_000);

  it('keeps both processes alive, quiet about internal errors, with flat memory and bounded metrics', async () => {
    for (const service of ['ingress', 'outbound'] as const) {
      const pid = pidOf(service);
      expect(isAlive(pid)).toBe(true);
      expect((await fetch(`${bridge.url(service)}/health/live`)).status).toBe(200);
      const before = memoryAfterWarmUp[service] ?? { rss: 0, heapUsed: 0 };
      const after = await memoryAfterGc(service);
      const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;
      process.stdout.write(
        `hostile-input: ${service} after GC: RSS ${mib(before.rss)} → ${mib(after.rss)}, heap used ${mib(before.heapUsed)} → ${mib(after.heapUsed)} (peak RSS ${mib(rssBytesOf(pid, 'VmHWM'))})\n`,
      );
      expect(after.rss - before.rss).toBeLessThan(RSS_GROWTH_BOUND_BYTES);
      expect(after.heapUsed - before.heapUsed).toBeLessThan(HEAP_GROWTH_BOUND_BYTES);
      // Nothing reached the catch-all 500 path or crashed a handler (logs are warn and above).
      expect(bridge.logsOf(service)).not.toMatch(/"level":(50|60)/);
      // Label values come from a bounded set, whatever keys the bodies had.
      const metrics = await (await fetch(`${bridge.url(service)}/metrics`)).text();
      expect(Buffer.byteLength(metrics)).toBeLessThan(256 * 1024);
      const outcomeSeries = metrics.split('\n').filter((line) => /^tgg_(updates|replies)_total\{/.test(line));
      expect(outcomeSeries.length).toBeLessThan(40);
    }
    process.stdout.write(`hostile-input: ${(await jobsInAllQueues()) - jobsBeforeStorm} jobs added across all queues during the storms\n`);
  });
});

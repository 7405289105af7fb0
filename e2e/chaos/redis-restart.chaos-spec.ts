import { Redis } from 'ioredis';
import pg from 'pg';
import { BridgeHarness, eventually } from '@tgg/testing';
import { chatIds } from './support/bridge-ops.js';
import { sleep } from './support/far-sides.js';
import { TwoWayLoad, slowFarSides, startLoadedBridge, twoWaySides } from './support/loaded-bridge.js';
import { awaitBothWaysDelivered, idsByText, inboundReport, outboundReport, recoveryMs, summary } from './support/reports.js';
import { RedisServer } from './support/redis-server.js';

/**
 * Scenario 2: Redis goes away mid-load and comes back on the same port with its data, twice —
 * a graceful restart (SIGTERM: the AOF is fsynced) with the production fsync policy, then kill -9
 * with `appendfsync always`, where Redis keeps every write it acknowledged. Ingress answers 503
 * meanwhile (Telegram redelivers), the outbound webhook too (Genesys redelivers), and the workers
 * must reconnect and resume on their own.
 */
const CHATS = chatIds(8_200_000_001, 10);
const OUTAGE_MS = 6000;
const LOAD_BETWEEN_MS = 2000;

describe('chaos: Redis restarted mid-load', () => {
  let redis: RedisServer;
  let bridge: BridgeHarness;
  let db: pg.Client;

  beforeAll(async () => {
    redis = await RedisServer.start({ appendfsync: 'everysec' });
    ({ bridge, db } = await startLoadedBridge({ env: { REDIS_URL: redis.url } }));
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    if (redis && !redis.running) await redis.start();
    await bridge?.stop();
    await redis?.close();
  });

  it('resumes by itself after each restart, losing nothing acknowledged and duplicating nothing', async () => {
    const { customers, agents } = await twoWaySides(bridge, db, CHATS);
    // Slow answers, so Genesys requests and Telegram sends are in flight when Redis goes.
    slowFarSides(bridge);
    const load = new TwoWayLoad(customers, agents, CHATS);

    const restarts: { how: string; backAtMs: number; readyAgainMs: number; recoveredMs: number }[] = [];
    for (const how of ['SIGTERM, appendfsync everysec', 'SIGKILL, appendfsync always'] as const) {
      await sleep(LOAD_BETWEEN_MS);
      if (how.startsWith('SIGKILL')) await setAppendFsync(redis.url, 'always');
      await redis.stop(how.startsWith('SIGKILL') ? 'SIGKILL' : 'SIGTERM');
      // While Redis is away ingress cannot persist: 503, and readiness says so.
      await eventually(async () => expect((await fetch(`${bridge.url('ingress')}/health/ready`)).status).toBe(503), 10_000, 100);
      await sleep(OUTAGE_MS);
      await redis.start();
      const backAtMs = Date.now();
      await eventually(async () => {
        const ready = await Promise.all((['ingress', 'sequencer', 'dispatcher', 'outbound'] as const).map(async (service) => (await fetch(`${bridge.url(service)}/health/ready`)).status));
        expect(ready).toEqual([200, 200, 200, 200]);
      }, 30_000, 100);
      const readyAgainMs = Date.now() - backAtMs;
      let recoveredMs = Infinity;
      await eventually(() => {
        const customerMessages = customers.acknowledged();
        const agentReplies = agents.acknowledged();
        recoveredMs = Math.max(
          recoveryMs(customerMessages, inboundReport(bridge.genesys, customerMessages), backAtMs),
          recoveryMs(agentReplies, outboundReport(bridge.telegram, idsByText(agentReplies), agentReplies), backAtMs),
        );
        expect(recoveredMs).toBeLessThan(Infinity);
      }, 60_000, 100);
      restarts.push({ how, backAtMs, readyAgainMs, recoveredMs });
    }
    await sleep(LOAD_BETWEEN_MS);
    await load.stop();
    const loadEndedAtMs = Date.now();

    const { customerMessages, agentReplies, toGenesys, toTelegram } = await awaitBothWaysDelivered(bridge, customers, agents, 60_000);

    expect(customers.count(503)).toBeGreaterThan(0);
    expect(agents.count(503) + agents.count('refused')).toBeGreaterThan(0);
    expect(toGenesys.outOfOrder).toEqual([]);
    expect(toTelegram.outOfOrder).toEqual([]);
    expect(toGenesys.duplicates).toEqual([]);
    expect(toTelegram.duplicates).toEqual([]);

    summary('Redis restarted mid-load', {
      'customer messages': `${toGenesys.acknowledged} acknowledged (${customers.count(503)} answered 503 while Redis was down), all delivered once, in order`,
      'agent replies': `${toTelegram.acknowledged} acknowledged (${agents.count(503)} answered 503), all sent once, in order`,
      restarts: restarts.map((restart) => `${restart.how}: down ${OUTAGE_MS} ms, all services ready ${restart.readyAgainMs} ms after Redis was back, backlog worked off after ${restart.recoveredMs} ms`).join(' | '),
      'load ran': `${loadEndedAtMs - load.startedAtMs} ms`,
    });
  }, 180_000);
});

async function setAppendFsync(url: string, policy: 'always' | 'everysec'): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await client.config('SET', 'appendfsync', policy);
  } finally {
    await client.quit();
  }
}

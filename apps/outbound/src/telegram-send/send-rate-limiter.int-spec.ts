import { Redis } from 'ioredis';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { SendRateLimiter, type SendRateSettings } from './send-rate-limiter.js';

const DEFAULTS: SendRateSettings = { perChatPerSecond: 1, perChatBurst: 3, globalPerSecond: 30, globalBurst: 1 };

describe('SendRateLimiter (real Redis)', () => {
  let redis: Redis;
  let prefix: string;

  beforeAll(() => {
    redis = new Redis(redisUrl());
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('lets a chat send a burst of 3, then one message per second', async () => {
    const limiter = new SendRateLimiter(redis, prefix, { ...DEFAULTS, globalPerSecond: 1000, globalBurst: 100 });
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await limiter.reserve('default:1'));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    // Redis time moves a few ms between calls; each later slot is one interval after the previous.
    for (const [index, expected] of [[3, 1000], [4, 2000], [5, 3000]] as const) {
      expect(waits[index]).toBeGreaterThan(expected - 50);
      expect(waits[index]).toBeLessThanOrEqual(expected);
    }
  });

  it('keeps chats independent under the per-chat limit', async () => {
    const limiter = new SendRateLimiter(redis, prefix, { ...DEFAULTS, perChatBurst: 1, globalPerSecond: 1000 });
    expect(await limiter.reserve('default:1')).toBe(0);
    expect(await limiter.reserve('default:2')).toBeLessThanOrEqual(1);
    expect(await limiter.reserve('default:1')).toBeGreaterThan(900);
  });

  it('spaces all chats together under the global limit, and counts chat actions there only', async () => {
    const limiter = new SendRateLimiter(redis, prefix, { ...DEFAULTS, globalPerSecond: 10 });
    const waits = [];
    for (let chat = 0; chat < 5; chat++) waits.push(await limiter.reserve(`default:${chat}`));
    waits.push(await limiter.reserve(undefined));
    expect(waits[0]).toBe(0);
    waits.forEach((waitMs, index) => {
      expect(waitMs).toBeGreaterThan(index * 100 - 50);
      expect(waitMs).toBeLessThanOrEqual(index * 100);
    });
    // The chat action did not use chat 0's budget: its next message waits for the global slot only.
    const nextForChatZero = await limiter.reserve('default:0');
    expect(nextForChatZero).toBeLessThanOrEqual(600);
  });

  it('shares the limits between replicas (two limiters, two connections)', async () => {
    const other = new Redis(redisUrl());
    try {
      const settings = { ...DEFAULTS, perChatBurst: 1, globalPerSecond: 1000 };
      const a = new SendRateLimiter(redis, prefix, settings);
      const b = new SendRateLimiter(other, prefix, settings);
      expect(await a.reserve('default:9')).toBe(0);
      expect(await b.reserve('default:9')).toBeGreaterThan(900);
    } finally {
      await other.quit();
    }
  });

  it('takes a new slot when its wait ended late (a stalled process), so late sends cannot bunch', async () => {
    let clockMs = 0;
    const slept: number[] = [];
    const stalled = new SendRateLimiter(
      redis,
      prefix,
      { ...DEFAULTS, perChatBurst: 1, globalPerSecond: 1000 },
      async (ms) => {
        slept.push(ms);
        clockMs += ms + 200; // every timer fires 200 ms late
      },
      () => clockMs,
    );
    await stalled.reserve('default:4');
    await stalled.waitForSlot('default:4');
    expect(slept).toHaveLength(3); // late twice → reserved again; the third reservation is sent whatever happens
    expect(slept[1]).toBeGreaterThan(slept[0] ?? 0);
  });

  it('waits for the slot it reserved, and leaves no key behind for long', async () => {
    let clockMs = 0;
    const slept: number[] = [];
    const limiter = new SendRateLimiter(
      redis,
      prefix,
      { ...DEFAULTS, perChatBurst: 1, globalPerSecond: 1000 },
      async (ms) => {
        slept.push(ms);
        clockMs += ms;
      },
      () => clockMs,
    );
    await limiter.waitForSlot('default:3');
    await limiter.waitForSlot('default:3');
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(900);
    const ttl = await redis.pttl(`${prefix}:out:rate:{default:3}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3000);
  });
});

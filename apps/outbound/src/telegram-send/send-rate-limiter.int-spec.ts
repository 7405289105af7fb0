import { Redis } from 'ioredis';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { SendRateLimiter, type SendRateSettings } from './send-rate-limiter.js';

const LEASE_MS = 5000;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A stand-in for Telegram: the request travels `toTelegramMs`, Telegram stamps it (its clock is the
 * one the limits are promised on), and the answer travels `backMs`.
 */
function viaNetwork(received: number[], toTelegramMs: number, backMs: number): () => Promise<void> {
  return async () => {
    await delay(toTelegramMs);
    received.push(Date.now());
    await delay(backMs);
  };
}

/** The most stamps in any sliding second [t, t + 1000). */
function busiestSecond(stampsMs: number[]): number {
  const sorted = [...stampsMs].sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && (sorted[j] ?? Infinity) < (sorted[i] ?? 0) + 1000) j++;
    busiest = Math.max(busiest, j - i);
  }
  return busiest;
}

/** Pairs of one chat's sends (in order) that break a GCRA pace of `perSecond` with `burst` at the receiver. */
function paceViolations(stampsMs: number[], perSecond: number, burst: number): string[] {
  const intervalMs = 1000 / perSecond;
  const violations: string[] = [];
  for (let i = 0; i < stampsMs.length; i++) {
    for (let j = i + burst; j < stampsMs.length; j++) {
      const needed = (j - i - (burst - 1)) * intervalMs;
      const actual = (stampsMs[j] ?? 0) - (stampsMs[i] ?? 0);
      if (actual < needed) violations.push(`sends ${i}→${j}: ${actual} ms < ${needed} ms`);
    }
  }
  return violations;
}

const random = (from: number, to: number) => from + Math.floor(Math.random() * (to - from + 1));

describe('SendRateLimiter (real Redis)', () => {
  let redis: Redis;
  let other: Redis;
  let prefix: string;

  beforeAll(() => {
    redis = new Redis(redisUrl());
    other = new Redis(redisUrl());
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(async () => {
    await Promise.all([redis.quit(), other.quit()]);
  });

  it('holds the global limit at the receiver in every sliding second, across two replicas, whatever the network delay', async () => {
    const settings: SendRateSettings = { perChatPerSecond: 1000, perChatBurst: 1, globalPerSecond: 40 };
    const replicas = [new SendRateLimiter(redis, prefix, settings), new SendRateLimiter(other, prefix, settings)];
    const received: number[] = [];
    // 2 × 60 sends at once: three times what one second allows, with delays varying per request.
    await Promise.all(
      replicas.flatMap((limiter, replica) =>
        Array.from({ length: 60 }, (_, i) => limiter.run(`default:${replica}-${i}`, LEASE_MS, viaNetwork(received, random(0, 60), random(0, 30)))),
      ),
    );
    expect(received).toHaveLength(120);
    expect(busiestSecond(received)).toBeLessThanOrEqual(40);
    // How close to the limit it runs is a figure for `npm run bench`, not a timed assertion here.
  }, 20_000);

  it('holds the global limit when one replica wakes late from every wait (a stalled process never sends without a slot)', async () => {
    const settings: SendRateSettings = { perChatPerSecond: 1000, perChatBurst: 1, globalPerSecond: 30 };
    const stalled = new SendRateLimiter(redis, prefix, settings, (ms) => delay(ms + 200));
    const healthy = new SendRateLimiter(other, prefix, settings);
    const received: number[] = [];
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => stalled.run(`default:s${i}`, LEASE_MS, viaNetwork(received, random(0, 20), 0))),
      ...Array.from({ length: 40 }, (_, i) => healthy.run(`default:h${i}`, LEASE_MS, viaNetwork(received, random(0, 20), 0))),
    ]);
    expect(received).toHaveLength(80);
    expect(busiestSecond(received)).toBeLessThanOrEqual(30);
  }, 20_000);

  it("keeps a chat's pace at the receiver: a burst of 3, then one per interval after the earlier send was answered", async () => {
    const limiter = new SendRateLimiter(redis, prefix, { perChatPerSecond: 2, perChatBurst: 3, globalPerSecond: 1000 });
    const received: number[] = [];
    for (let i = 0; i < 6; i++) await limiter.run('default:1', LEASE_MS, viaNetwork(received, random(0, 40), random(0, 40)));
    expect(paceViolations(received, 2, 3)).toEqual([]);
    // The first three leave back to back: paced, the third would come two intervals (1 s) after the first.
    expect((received[2] ?? Infinity) - (received[0] ?? 0)).toBeLessThan(1000);
  }, 20_000);

  it('keeps chats independent under the per-chat limit, and counts chat actions only globally', async () => {
    const limiter = new SendRateLimiter(redis, prefix, { perChatPerSecond: 1, perChatBurst: 1, globalPerSecond: 1000 });
    const sentAt: Record<string, number> = {};
    const startedAt = Date.now();
    await limiter.run('default:1', LEASE_MS, async () => undefined);
    await Promise.all([
      limiter.run('default:2', LEASE_MS, async () => void (sentAt['other chat'] = Date.now())),
      limiter.run(undefined, LEASE_MS, async () => void (sentAt['chat action'] = Date.now())),
      limiter.run('default:1', LEASE_MS, async () => void (sentAt['same chat'] = Date.now())),
    ]);
    // The other chat and the chat action do not wait for chat 1's pace: both leave before chat 1's second send.
    expect(sentAt['other chat'] ?? Infinity).toBeLessThan(sentAt['same chat'] ?? 0);
    expect(sentAt['chat action'] ?? Infinity).toBeLessThan(sentAt['same chat'] ?? 0);
    expect((sentAt['same chat'] ?? 0) - startedAt).toBeGreaterThanOrEqual(1000);
  }, 10_000);

  it('keeps the slot of a send whose process died only until its lease ends', async () => {
    const settings: SendRateSettings = { perChatPerSecond: 20, perChatBurst: 1, globalPerSecond: 1 };
    const dying = new Redis(redisUrl());
    const crashed = new SendRateLimiter(dying, prefix, settings);
    const survivor = new SendRateLimiter(other, prefix, settings);
    let crashedSendStarted = (): void => undefined;
    const started = new Promise<void>((resolve) => (crashedSendStarted = resolve));
    void crashed.run('default:7', 400, () => {
      crashedSendStarted();
      return new Promise<never>(() => undefined); // never answered
    });
    await started;
    dying.disconnect(); // the process is gone: no renewal, no release
    const startedAt = Date.now();
    await survivor.run('default:7', LEASE_MS, async () => undefined);
    // The same chat waits for the lease (400 ms) plus one interval (50 ms); the global second for the lease plus 1 s.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1300);
  }, 10_000);

  it('keeps the slot of a live send for as long as it is in flight, past its lease (renewed)', async () => {
    const settings: SendRateSettings = { perChatPerSecond: 1000, perChatBurst: 1, globalPerSecond: 1000 };
    const slow = new SendRateLimiter(redis, prefix, settings);
    const next = new SendRateLimiter(other, prefix, settings);
    let answeredAt = 0;
    const first = slow.run('default:8', 300, async () => {
      await delay(1500); // five leases long
      answeredAt = Date.now();
    });
    await delay(50);
    let nextSentAt = 0;
    await next.run('default:8', 300, async () => void (nextSentAt = Date.now()));
    await first;
    expect(nextSentAt).toBeGreaterThanOrEqual(answeredAt);
  }, 10_000);

  it('leaves no key behind for long', async () => {
    const limiter = new SendRateLimiter(redis, prefix, { perChatPerSecond: 1, perChatBurst: 3, globalPerSecond: 30 });
    await limiter.run('default:3', LEASE_MS, async () => undefined);
    const chatTtl = await redis.pttl(`${prefix}:out:rate:{default:3}`);
    expect(chatTtl).toBeGreaterThan(0);
    expect(chatTtl).toBeLessThanOrEqual(2000);
    const logTtl = await redis.pttl(`${prefix}:out:rate:global:sent`);
    expect(logTtl).toBeGreaterThan(0);
    expect(logTtl).toBeLessThanOrEqual(LEASE_MS + 1000);
  });

  it('answers with the send\'s own result or error, and releases the slot either way', async () => {
    const limiter = new SendRateLimiter(redis, prefix, { perChatPerSecond: 1000, perChatBurst: 1, globalPerSecond: 1000 });
    await expect(limiter.run('default:5', LEASE_MS, async () => 42)).resolves.toBe(42);
    await expect(limiter.run('default:5', LEASE_MS, async () => Promise.reject(new Error('telegram said no')))).rejects.toThrow('telegram said no');
    expect(await redis.hget(`${prefix}:out:rate:{default:5}`, 'busy')).toBeNull();
    expect((await redis.zrange(`${prefix}:out:rate:global:sent`, 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1).every((score) => Number(score) <= Date.now())).toBe(true);
  });
});

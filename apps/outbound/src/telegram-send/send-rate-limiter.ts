import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { defineRedisScript, type RedisScript } from '@tgg/chat-turns';

export interface SendRateSettings {
  perChatPerSecond: number;
  /** Sends a chat may make at once before the per-chat pace applies ("short bursts are tolerated"). */
  perChatBurst: number;
  /** At most this many sends reach Telegram in any sliding second, across every outbound replica. */
  globalPerSecond: number;
  /** The lease of a send in flight (renewed while it is; see below); default 4.5 s, ¾ of the default WORKER_LOCK_MS. */
  inFlightLeaseMs?: number;
}

/**
 * What the limits promise, and why the scripts look like this
 * ============================================================
 * The limits are promised *at Telegram*: in any sliding second Telegram receives at most
 * OUTBOUND_GLOBAL_PER_S of our requests, and each chat's requests keep its pace there. A send is
 * granted at time g (Redis' clock) and answered at e; Telegram received it somewhere in [g, e]. The
 * network delay in between varies, so two grants 1/limit apart can arrive closer together: a limiter
 * that counts grants alone overshoots at the receiver (121 in one second against 100/s was seen).
 *
 * So a send occupies its slot from grant until it is answered, plus one second:
 *
 * - Global: a sliding-window log (a sorted set, one member per send, scored by when the send
 *   stopped counting-in-flight: its answer time, or a lease while in flight). A send is granted only
 *   when fewer than `limit` members have a score within the last second. Proof: say limit + 1 sends
 *   arrived within one second [a, a + 1 s). Take the one granted last, at g: it arrived after g, so
 *   a > g − 1 s. Every other one was granted before g and answered after it arrived, i.e. after a,
 *   so at g each of them scored > g − 1 s: `limit` members were counted and the grant was refused.
 * - Per chat: GCRA over answer times. A chat's sends are sequential (one reply at a time, its parts
 *   one after another), so its theoretical arrival time advances when a send is *answered*
 *   (tat = max(tat, e) + interval) and a send is granted when now ≥ tat − tolerance: for any sends
 *   i < j, g_j ≥ e_i + (j − i − (burst − 1)) × interval, hence at Telegram too.
 *
 * A grant is always "now" (Redis' TIME, shared by every replica, immune to skewed process clocks):
 * nothing is reserved for later, so a process that wakes late simply asks again and there is no
 * "send anyway" path. To keep waiters from all polling at once, the global limit also hands out
 * tickets one interval apart (a GCRA cell): a waiter sleeps until its ticket, then asks for a grant;
 * if the window is still full it takes the next ticket. Tickets only spread the asking — the log alone
 * decides. The cost of being exact: with round-trip δ, throughput under sustained load is
 * limit × 1 s / (1 s + δ) rather than `limit`.
 *
 * A send in flight holds its slot under a short lease that its process renews (every third of
 * the lease) until Telegram answers; a send whose process dies keeps its slot (and blocks its chat)
 * only until that lease ends — a dead process's request reaches Telegram within it or never — so a
 * crashed replica's chats move again within seconds (SPEC: work resumed within 10 s of a crash). A
 * live process whose event loop stalls longer than the lease could lose a slot while its request is
 * still on the way: the lease is sized like the worker locks (WORKER_LOCK_MS × ¾) for that reason.
 *
 * Why not BullMQ's worker limiter for the global limit: it counts jobs per process window, and one
 * reply can be several Telegram messages (a file with its caption and the text that did not fit, a
 * text split in three).
 */

/** How often a chat whose previous send is still unanswered (a duplicate job) asks again. */
const BUSY_POLL_MS = 250;

/**
 * KEYS: 1 the chat's state (hash: tat, busy, busyUntil), 2 the global ticket cell, 3 the global log.
 * ARGV: 1 send id, 2 1/0 whether the chat limit applies, 3 chat interval ms, 4 chat tolerance ms,
 * 5 global interval ms, 6 global limit, 7 lease ms, 8 the caller's ticket ('' for none).
 * Returns { 1 granted / 0 not, ms to wait before asking again, the ticket to bring back ('' none) }.
 */
const ACQUIRE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local useChat = ARGV[2] == '1'
local chatInterval, chatTolerance = tonumber(ARGV[3]), tonumber(ARGV[4])
local globalInterval, limit, leaseMs = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local ticket = tonumber(ARGV[8])
local tat = 0
if useChat then
  local state = redis.call('HMGET', KEYS[1], 'tat', 'busyUntil')
  tat = tonumber(state[1] or '0')
  local busyUntil = tonumber(state[2])
  if busyUntil then
    if busyUntil > now then return {0, math.min(busyUntil - now, ${BUSY_POLL_MS}), ARGV[8]} end
    tat = math.max(tat, busyUntil) + chatInterval
    redis.call('HSET', KEYS[1], 'tat', tostring(tat))
    redis.call('HDEL', KEYS[1], 'busy', 'busyUntil')
  end
  if tat - chatTolerance > now then return {0, math.ceil(tat - chatTolerance - now), ARGV[8]} end
end
local function nextTicket()
  local cell = tonumber(redis.call('GET', KEYS[2]) or '0')
  local taken = math.max(now, cell)
  redis.call('SET', KEYS[2], tostring(taken + globalInterval), 'PX', math.ceil(taken + globalInterval - now) + 1000)
  return taken
end
if not ticket then ticket = nextTicket() end
if ticket > now then return {0, math.ceil(ticket - now), tostring(ticket)} end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 1000)
if redis.call('ZCARD', KEYS[3]) >= limit then
  ticket = nextTicket()
  return {0, math.max(1, math.ceil(ticket - now)), tostring(ticket)}
end
redis.call('ZADD', KEYS[3], now + leaseMs, ARGV[1])
if redis.call('PTTL', KEYS[3]) < leaseMs + 1000 then redis.call('PEXPIRE', KEYS[3], leaseMs + 1000) end
if useChat then
  redis.call('HSET', KEYS[1], 'busy', ARGV[1], 'busyUntil', tostring(now + leaseMs))
  redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(tat - now, 0)) + leaseMs + chatInterval + 1000)
end
return {1, 0, ''}
`;

/** KEYS: 1 the chat's state, 2 the global log. ARGV: 1 send id, 2 lease ms. The send is still in flight: extend its lease. */
const RENEW_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local leaseMs = tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], 'XX', 'GT', now + leaseMs, ARGV[1])
if redis.call('PTTL', KEYS[2]) < leaseMs + 1000 then redis.call('PEXPIRE', KEYS[2], leaseMs + 1000) end
if redis.call('HGET', KEYS[1], 'busy') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'busyUntil', tostring(now + leaseMs))
  if redis.call('PTTL', KEYS[1]) < leaseMs + 1000 then redis.call('PEXPIRE', KEYS[1], leaseMs + 1000) end
end
return 1
`;

/**
 * KEYS: 1 the chat's state, 2 the global log. ARGV: 1 send id, 2 1/0 chat limit applies, 3 chat
 * interval ms. The send was answered now: it counts in the log for one more second from now, and the
 * chat's theoretical arrival time moves one interval past now.
 */
const RELEASE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[2], 'XX', now, ARGV[1])
if ARGV[2] == '1' and redis.call('HGET', KEYS[1], 'busy') == ARGV[1] then
  local chatInterval = tonumber(ARGV[3])
  local tat = math.max(tonumber(redis.call('HGET', KEYS[1], 'tat') or '0'), now) + chatInterval
  redis.call('HSET', KEYS[1], 'tat', tostring(tat))
  redis.call('HDEL', KEYS[1], 'busy', 'busyUntil')
  redis.call('PEXPIRE', KEYS[1], math.ceil(tat - now) + 1000)
end
return 1
`;


export class SendRateLimiter {
  private readonly acquireCommand: RedisScript;
  private readonly releaseCommand: RedisScript;
  private readonly renewCommand: RedisScript;
  private readonly chatIntervalMs: number;
  private readonly globalIntervalMs: number;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly settings: SendRateSettings,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.chatIntervalMs = 1000 / settings.perChatPerSecond;
    this.globalIntervalMs = 1000 / settings.globalPerSecond;
    this.acquireCommand = defineRedisScript(redis, 'tggOutboundAcquire', ACQUIRE_SCRIPT);
    this.releaseCommand = defineRedisScript(redis, 'tggOutboundRelease', RELEASE_SCRIPT);
    this.renewCommand = defineRedisScript(redis, 'tggOutboundRenew', RENEW_SCRIPT);
  }

  /** The lease the sender gives its sends (SendRateSettings.inFlightLeaseMs). */
  get inFlightLeaseMs(): number {
    return this.settings.inFlightLeaseMs ?? 4500;
  }

  /**
   * Waits for a slot for one request to Telegram (a message to `chatRef`, or a chat action, which
   * counts only globally, when `chatRef` is undefined), runs `send`, and records when it was
   * answered. `leaseMs`: how long the slot outlives this process if it dies mid-send; renewed
   * every third of it while the request is in flight.
   */
  async run<T>(chatRef: string | undefined, leaseMs: number, send: () => Promise<T>): Promise<T> {
    const id = randomUUID();
    await this.acquire(id, chatRef, leaseMs);
    const renewal = setInterval(() => {
      // A missed renewal is retried at the next tick; a dead connection means this process is leaving anyway.
      this.renewCommand(2, this.chatKey(chatRef), `${this.prefix}:out:rate:global:sent`, id, Math.ceil(leaseMs)).catch(() => undefined);
    }, Math.max(100, Math.floor(leaseMs / 3)));
    renewal.unref(); // the send itself keeps the process busy; a renewal timer never should
    try {
      return await send();
    } finally {
      clearInterval(renewal);
      // A release that cannot reach Redis must not turn a delivered send into a failed (and then
      // repeated) one: the slot is then held until its lease ends, which only errs on the safe side.
      await this.release(id, chatRef).catch(() => undefined);
    }
  }

  private async acquire(id: string, chatRef: string | undefined, leaseMs: number): Promise<void> {
    let ticket = '';
    for (;;) {
      const [granted, waitMs, nextTicket] = parseAcquire(
        await this.acquireCommand(
          3,
          this.chatKey(chatRef),
          `${this.prefix}:out:rate:global`,
          `${this.prefix}:out:rate:global:sent`,
          id,
          chatRef === undefined ? 0 : 1,
          this.chatIntervalMs,
          this.chatIntervalMs * Math.max(0, this.settings.perChatBurst - 1),
          this.globalIntervalMs,
          this.settings.globalPerSecond,
          Math.ceil(leaseMs),
          ticket,
        ),
      );
      if (granted) return;
      ticket = nextTicket;
      await this.sleep(waitMs);
    }
  }

  private async release(id: string, chatRef: string | undefined): Promise<void> {
    await this.releaseCommand(2, this.chatKey(chatRef), `${this.prefix}:out:rate:global:sent`, id, chatRef === undefined ? 0 : 1, this.chatIntervalMs);
  }

  private chatKey(chatRef: string | undefined): string {
    return `${this.prefix}:out:rate:{${chatRef ?? '-'}}`;
  }
}

function parseAcquire(reply: unknown): [boolean, number, string] {
  if (!Array.isArray(reply) || reply.length !== 3) throw new Error('unexpected reply from the outbound rate-limit script');
  return [Number(reply[0]) === 1, Math.max(1, Number(reply[1])), String(reply[2])];
}

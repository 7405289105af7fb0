import type { Redis } from 'ioredis';

export interface SendRateSettings {
  perChatPerSecond: number;
  /** Sends a chat may make at once before the per-chat pace applies ("short bursts are tolerated"). */
  perChatBurst: number;
  globalPerSecond: number;
  globalBurst: number;
}

/**
 * Reserves send slots under two limits at once, in Redis so every outbound replica shares them:
 * per chat (OUTBOUND_PER_CHAT_PER_S, small burst) and per bot API overall (OUTBOUND_GLOBAL_PER_S).
 * Each limit is a GCRA ("virtual scheduling") cell: one "theoretical arrival time" per key. A
 * reservation takes the earliest instant allowed by both cells, advances both, and tells the caller
 * how long to wait; the clock is Redis' TIME, so replicas with skewed clocks still agree.
 *
 * Why not BullMQ's worker limiter for the global limit: it counts jobs, and one reply can be
 * several Telegram messages (a file with its caption and the text that did not fit, a text split in
 * three). Counting each message here keeps both limits exact with one mechanism.
 *
 * KEYS: 1 the chat's cell, 2 the global cell. ARGV: chat interval ms, chat tolerance ms, global
 * interval ms, global tolerance ms, 1/0 whether the chat limit applies. Returns the wait in ms.
 */
const RESERVE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local chatInterval, chatTolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local globalInterval, globalTolerance = tonumber(ARGV[3]), tonumber(ARGV[4])
local useChat = ARGV[5] == '1'
local chatTat = tonumber(redis.call('GET', KEYS[1]) or '0')
local globalTat = tonumber(redis.call('GET', KEYS[2]) or '0')
local slot = math.max(now, globalTat - globalTolerance)
if useChat then slot = math.max(slot, chatTat - chatTolerance) end
if useChat then
  local nextChat = math.max(chatTat, slot) + chatInterval
  redis.call('SET', KEYS[1], tostring(nextChat), 'PX', math.ceil(nextChat - now) + 1000)
end
local nextGlobal = math.max(globalTat, slot) + globalInterval
redis.call('SET', KEYS[2], tostring(nextGlobal), 'PX', math.ceil(nextGlobal - now) + 1000)
return math.ceil(slot - now)
`;

type ReserveCommand = (numberOfKeys: number, ...args: (string | number)[]) => Promise<unknown>;

/**
 * A wait that ends this much after its slot means the process stalled (a busy event loop fires
 * timers late). Sending then could go out together with sends reserved after it and burst past
 * the limit, so a late waker takes a new slot instead; its old one simply goes unused.
 */
const LATE_WAKE_MS = 50;
/** Under sustained stalls, give up on exactness after this many slots rather than starve the send. */
const MAX_RESERVATIONS = 3;

export class SendRateLimiter {
  private readonly reserveCommand: ReserveCommand;
  private readonly chatIntervalMs: number;
  private readonly globalIntervalMs: number;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly settings: SendRateSettings,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.chatIntervalMs = 1000 / settings.perChatPerSecond;
    this.globalIntervalMs = 1000 / settings.globalPerSecond;
    const commands = redis as unknown as Record<string, ReserveCommand | undefined>; // ioredis adds defined commands as methods
    if (!commands['tggOutboundReserve']) redis.defineCommand('tggOutboundReserve', { lua: RESERVE_SCRIPT });
    const command = commands['tggOutboundReserve'];
    if (!command) throw new Error('could not define the outbound rate-limit script');
    this.reserveCommand = (...args) => command.apply(redis, args);
  }

  /**
   * Takes the next slot for one message to `chatRef` (or for a chat action, which counts only
   * globally when `chatRef` is undefined) and resolves with how many ms to wait before sending.
   */
  async reserve(chatRef: string | undefined): Promise<number> {
    const { perChatBurst, globalBurst } = this.settings;
    const waitMs = await this.reserveCommand(
      2,
      `${this.prefix}:out:rate:{${chatRef ?? '-'}}`,
      `${this.prefix}:out:rate:global`,
      this.chatIntervalMs,
      this.chatIntervalMs * Math.max(0, perChatBurst - 1),
      this.globalIntervalMs,
      this.globalIntervalMs * Math.max(0, globalBurst - 1),
      chatRef === undefined ? 0 : 1,
    );
    return Number(waitMs);
  }

  /** reserve() then wait for the slot (again if woken late); resolves with the time waited. */
  async waitForSlot(chatRef: string | undefined): Promise<number> {
    const startedAt = this.now();
    for (let reservation = 1; ; reservation++) {
      const waitMs = await this.reserve(chatRef);
      if (waitMs <= 0) return this.now() - startedAt;
      const slotAt = this.now() + waitMs;
      await this.sleep(waitMs);
      if (this.now() - slotAt <= LATE_WAKE_MS || reservation >= MAX_RESERVATIONS) return this.now() - startedAt;
    }
  }
}

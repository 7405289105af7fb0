import { RetryableError } from '@tgg/contracts';
import type { ChannelRecord, ChannelRepository, UnreadableChannel } from './channel.repository.js';

const MISS_RELOAD_INTERVAL_MS = 1000;
/** What callers pass on as Retry-After: Postgres is back, or the operator fixed the key, soon or not at all. */
const CHANNELS_RETRY_AFTER_MS = 5000;

/**
 * The channel cannot be looked up right now: Postgres did not answer a reload on a cache miss, or
 * the channel's secrets cannot be decrypted. Retryable: a webhook answers 503 + Retry-After (the
 * sender keeps the update), a job is retried. Never "unknown channel", which would be a guess.
 */
export class ChannelUnavailableError extends RetryableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'channel_unavailable', CHANNELS_RETRY_AFTER_MS, options);
  }
}

export interface ChannelDirectoryOptions {
  now?: () => number;
  /** Told once each time a channel becomes unreadable (`readable: false`) and when it is readable again. */
  onReadabilityChange?: (channel: UnreadableChannel, readable: boolean) => void;
}

/**
 * The channels in memory, so the webhook hot path never waits on Postgres. Reloaded periodically
 * and on a miss (at most once a second, so a flood of requests for an unknown channel cannot
 * hammer the database). A channel whose secrets cannot be decrypted is skipped and reported, so
 * one bad row never keeps the others from loading.
 */
export class ChannelDirectory {
  private byName = new Map<string, ChannelRecord>();
  private unreadable = new Map<string, UnreadableChannel>();
  private lastAttemptAtMs = Number.NEGATIVE_INFINITY;
  private lastAttemptFailed = false;
  private loading: Promise<void> | undefined;
  private loaded = false;
  private readonly now: () => number;
  private readonly onReadabilityChange: (channel: UnreadableChannel, readable: boolean) => void;

  constructor(
    private readonly channels: ChannelRepository,
    options: ChannelDirectoryOptions | (() => number) = {},
  ) {
    const { now = Date.now, onReadabilityChange = () => undefined } = typeof options === 'function' ? { now: options } : options;
    this.now = now;
    this.onReadabilityChange = onReadabilityChange;
  }

  get size(): number {
    return this.byName.size;
  }

  /** The full list was read once; stays true through later failed reloads (the cache is kept). */
  get loadedOnce(): boolean {
    return this.loaded;
  }

  /** Rejects with the repository's error when Postgres cannot be read; the cached channels stay. */
  async reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    this.lastAttemptAtMs = this.now();
    try {
      const { channels, unreadable } = await this.channels.listReadable();
      const nowUnreadable = new Map(unreadable.map((channel) => [channel.name, channel]));
      for (const [name, channel] of nowUnreadable) if (!this.unreadable.has(name)) this.onReadabilityChange(channel, false);
      for (const [name, channel] of this.unreadable) if (!nowUnreadable.has(name) && channels.some((record) => record.name === name)) this.onReadabilityChange(channel, true);
      this.byName = new Map(channels.map((record) => [record.name, record]));
      this.unreadable = nowUnreadable;
      this.lastAttemptFailed = false;
      this.loaded = true;
    } catch (error) {
      this.lastAttemptFailed = true;
      throw error;
    }
  }

  /** Puts a record in directly (the env-defined channel right after it was written). */
  remember(record: ChannelRecord): void {
    this.byName.set(record.name, record);
    this.unreadable.delete(record.name);
  }

  /**
   * The channel, or undefined when it does not exist. Throws ChannelUnavailableError when that
   * cannot be told: its secrets are unreadable, or a miss could not be checked against Postgres.
   */
  async get(name: string): Promise<ChannelRecord | undefined> {
    const cached = this.byName.get(name);
    if (cached) return cached;
    this.throwIfUnreadable(name);
    // A reload under way may bring the channel; otherwise one is started at most once a second.
    if (this.loading || this.now() - this.lastAttemptAtMs >= MISS_RELOAD_INTERVAL_MS) {
      try {
        await this.reload();
      } catch (error) {
        throw new ChannelUnavailableError('channels cannot be loaded from the database right now', { cause: error });
      }
      this.throwIfUnreadable(name);
      return this.byName.get(name);
    }
    // Checked less than a second ago: that answer stands, including "the database did not answer".
    if (this.lastAttemptFailed) throw new ChannelUnavailableError('channels cannot be loaded from the database right now');
    return undefined;
  }

  /**
   * Reloads unless that was tried less than a second ago; true when it reloaded. For a secret that
   * did not match: it may have just been rotated (`npm run cli -- channel rotate-secret`).
   */
  async reloadIfStale(): Promise<boolean> {
    if (this.now() - this.lastAttemptAtMs < MISS_RELOAD_INTERVAL_MS) return false;
    await this.reload();
    return true;
  }

  all(): ChannelRecord[] {
    return [...this.byName.values()];
  }

  /** Channels skipped because their secrets cannot be decrypted (for reports; names only). */
  unreadableNames(): string[] {
    return [...this.unreadable.keys()];
  }

  private throwIfUnreadable(name: string): void {
    if (this.unreadable.has(name)) throw new ChannelUnavailableError(`channel ${name} cannot be read: its secrets do not decrypt with the configured ENCRYPTION_KEY`);
  }
}

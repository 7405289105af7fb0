import type { ChannelRecord, ChannelRepository } from './channel.repository.js';

const MISS_RELOAD_INTERVAL_MS = 1000;

/**
 * The channels in memory, so the webhook hot path never waits on Postgres. Reloaded periodically
 * and on a miss (at most once a second, so a flood of requests for an unknown channel cannot
 * hammer the database).
 */
export class ChannelDirectory {
  private byName = new Map<string, ChannelRecord>();
  private lastLoadAtMs = 0;
  private loading: Promise<void> | undefined;
  private loaded = false;

  constructor(
    private readonly channels: ChannelRepository,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.byName.size;
  }

  /** The full list was read once; stays true through later failed reloads (the cache is kept). */
  get loadedOnce(): boolean {
    return this.loaded;
  }

  async reload(): Promise<void> {
    this.loading ??= this.channels
      .list()
      .then((records) => {
        this.byName = new Map(records.map((record) => [record.name, record]));
        this.lastLoadAtMs = this.now();
        this.loaded = true;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /** Puts a record in directly (the env-defined channel right after it was written). */
  remember(record: ChannelRecord): void {
    this.byName.set(record.name, record);
  }

  async get(name: string): Promise<ChannelRecord | undefined> {
    const cached = this.byName.get(name);
    if (cached) return cached;
    return (await this.reloadIfStale()) ? this.byName.get(name) : undefined;
  }

  /**
   * Reloads unless that happened less than a second ago; true when it reloaded. For a secret that
   * did not match: it may have just been rotated (`npm run cli -- channel rotate-secret`).
   */
  async reloadIfStale(): Promise<boolean> {
    if (this.now() - this.lastLoadAtMs < MISS_RELOAD_INTERVAL_MS) return false;
    await this.reload();
    return true;
  }

  all(): ChannelRecord[] {
    return [...this.byName.values()];
  }
}

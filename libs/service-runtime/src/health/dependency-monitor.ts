import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { BridgeMetrics } from '@tgg/telemetry';
import { METRICS } from '../tokens.js';
import { DEPENDENCY_SOURCES, safeDetail, type DependencySource, type DependencyState, type DependencyStatus } from './dependency-source.js';
import { withTimeout } from './with-timeout.js';

/** Often enough for a dashboard and an alert's `for:` clause, rare enough to cost nothing. */
const REFRESH_INTERVAL_MS = 10_000;
/** A request finding an older snapshot (the timer is late under load) refreshes first. */
const MAX_SNAPSHOT_AGE_MS = 15_000;
const SOURCE_TIMEOUT_MS = 2_000;

export interface DependencyEntry {
  status: DependencyState;
  detail?: string;
}

/** The body of GET /health/dependencies. */
export interface DependencyReport {
  /** `degraded` when anything is down; it is a report, so the HTTP status stays 200. */
  status: 'ok' | 'degraded';
  checkedAt: string;
  dependencies: Record<string, DependencyEntry>;
  channels: Record<string, Record<string, DependencyEntry>>;
}

/**
 * Runs the app's dependency sources on a timer, keeps the last snapshot for GET
 * /health/dependencies (so a request never waits on a peer) and mirrors it into
 * `bridge_dependency_up{dependency,channel}` (1 up, 0 down; no series while unknown).
 */
@Injectable()
export class DependencyMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private snapshot: { atMs: number; statuses: DependencyStatus[] } | undefined;
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly reportedSeries = new Map<string, { dependency: string; channel: string }>();

  constructor(
    @Inject(DEPENDENCY_SOURCES) private readonly sources: DependencySource[],
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
  ) {}

  onApplicationBootstrap(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async report(nowMs = Date.now()): Promise<DependencyReport> {
    if (!this.snapshot || nowMs - this.snapshot.atMs > MAX_SNAPSHOT_AGE_MS) await this.refresh();
    // refresh() always leaves a snapshot behind (a failing source becomes a `down` status).
    const snapshot = this.snapshot ?? { atMs: nowMs, statuses: [] };
    return toReport(snapshot.statuses, snapshot.atMs);
  }

  /** One refresh at a time: a slow source must not pile up timers' and requests' refreshes. */
  refresh(): Promise<void> {
    this.refreshing ??= this.collect().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async collect(): Promise<void> {
    const perSource = await Promise.all(
      this.sources.map(async (source): Promise<DependencyStatus[]> => {
        try {
          return await withTimeout(source.statuses(), SOURCE_TIMEOUT_MS);
        } catch (error) {
          return [{ dependency: source.name, state: 'down', detail: safeDetail(error) }];
        }
      }),
    );
    const statuses = perSource.flat();
    this.snapshot = { atMs: Date.now(), statuses };
    this.publish(statuses);
  }

  private publish(statuses: DependencyStatus[]): void {
    const seen = new Set<string>();
    for (const status of statuses) {
      if (status.state === 'unknown') continue;
      const labels = { dependency: status.dependency, channel: status.channel ?? '' };
      const key = `${labels.dependency}\u0000${labels.channel}`;
      seen.add(key);
      this.reportedSeries.set(key, labels);
      this.metrics.dependencyUp.set(labels, status.state === 'up' ? 1 : 0);
    }
    // A removed channel (or a status back to unknown) must not leave a stale 0 behind for alerts.
    for (const [key, labels] of this.reportedSeries) {
      if (seen.has(key)) continue;
      this.metrics.dependencyUp.remove(labels);
      this.reportedSeries.delete(key);
    }
  }
}

export function toReport(statuses: readonly DependencyStatus[], atMs: number): DependencyReport {
  const dependencies: DependencyReport['dependencies'] = {};
  const channels: DependencyReport['channels'] = {};
  for (const status of statuses) {
    const entry: DependencyEntry = { status: status.state, ...(status.detail ? { detail: status.detail } : {}) };
    if (status.channel === undefined) dependencies[status.dependency] = entry;
    else (channels[status.channel] ??= {})[status.dependency] = entry;
  }
  return { status: statuses.some((status) => status.state === 'down') ? 'degraded' : 'ok', checkedAt: new Date(atMs).toISOString(), dependencies, channels };
}

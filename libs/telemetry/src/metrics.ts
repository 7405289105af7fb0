import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type OpenMetricsContentType } from 'prom-client';
import { context, type Context } from '@opentelemetry/api';
import { traceFields } from './log-trace-fields.js';

/** Outcomes counted for webhook updates and replies (SPEC §8). */
export type UpdateOutcome = 'accepted' | 'duplicate' | 'rejected' | 'ignored' | 'late' | 'dead_lettered' | 'delivered';
export type ReplyOutcome = 'accepted' | 'duplicate' | 'rejected' | 'delivered' | 'failed' | 'blocked' | 'dead_lettered' | 'retried' | 'ignored' | 'late' | 'typing';

/** What the queue-depth collector reads from Redis for one scrape. */
export interface QueueSnapshot {
  depth: { queue: string; state: string; count: number }[];
  oldestAgeS: { queue: string; state: 'waiting' | 'delayed'; ageS: number }[];
  redisMemory?: { usedBytes: number; maxBytes: number };
}

function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  const registry = new Registry<OpenMetricsContentType>();
  // Before any metric registers: a histogram with exemplars refuses a Prometheus-format registry.
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

/**
 * The metrics of one process; each app exposes its registry at GET /metrics. The registry speaks
 * OpenMetrics (which every Prometheus-compatible scraper reads) because only that format carries
 * exemplars: each processing_time bucket names the trace of a message that fell into it.
 */
export class BridgeMetrics {
  readonly registry = openMetricsRegistry();

  /** Webhook received → Genesys accepted (inbound) / Genesys webhook → Telegram accepted (outbound). Observe with observeProcessingTime. */
  // prom-client types exemplar labels with the metric's own label names, hence trace_id in the type parameter only.
  readonly processingTime = new Histogram<'direction' | 'channel' | 'trace_id'>({
    name: 'processing_time_seconds',
    help: 'Time from webhook receipt to acceptance by the far side',
    labelNames: ['direction', 'channel'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
    enableExemplars: true,
  });

  /** One processing time, with the active span's trace id as the bucket's exemplar when tracing is on. */
  observeProcessingTime(labels: { direction: 'inbound' | 'outbound'; channel: string }, seconds: number, active: Context = context.active()): void {
    const { trace_id: traceId } = traceFields(active);
    this.processingTime.observe({ labels, value: seconds, exemplarLabels: traceId ? { trace_id: traceId } : {} });
  }

  readonly updates = this.counter('tgg_updates_total', 'Telegram updates by outcome', ['outcome', 'reason']);

  readonly replies = this.counter('tgg_replies_total', 'Genesys outbound messages by outcome', ['outcome', 'reason']);

  readonly deadLetters = this.counter('tgg_dead_letters_total', 'Jobs moved to the dead-letter (failed) set', ['queue', 'code']);

  readonly deadLettersDropped = this.counter('tgg_dead_letters_dropped_total', 'Oldest dead letters dropped to keep DEAD_LETTER_KEEP per queue', ['queue']);

  /** Set by the queue-depth collector; read on each scrape so the gauges are never stale. */
  queueSnapshot: (() => Promise<QueueSnapshot>) | undefined;

  readonly queueDepth = this.snapshotGauge('tgg_queue_depth', 'Jobs per queue and state (failed = dead letters)', ['queue', 'state'], (snapshot, gauge) => {
    for (const entry of snapshot.depth) gauge.set({ queue: entry.queue, state: entry.state }, entry.count);
  });

  /** waiting: not yet picked up; delayed: retrying after a failure (backoff) or held back. */
  readonly oldestJobAge = this.snapshotGauge(
    'tgg_queue_oldest_job_age_seconds',
    'Age (since it was added) of the oldest waiting and of the oldest delayed job per queue',
    ['queue', 'state'],
    (snapshot, gauge) => {
      for (const entry of snapshot.oldestAgeS) gauge.set({ queue: entry.queue, state: entry.state }, entry.ageS);
    },
  );

  /** Redis INFO memory, so an alert sees noeviction's limit coming before writes are refused (0 = no limit set). */
  readonly redisMemoryUsed = this.snapshotGauge('tgg_redis_memory_used_bytes', 'Memory Redis reports in use (INFO memory used_memory)', [], (snapshot, gauge) => {
    if (snapshot.redisMemory) gauge.set(snapshot.redisMemory.usedBytes);
  });

  readonly redisMemoryMax = this.snapshotGauge('tgg_redis_maxmemory_bytes', 'Redis maxmemory (INFO memory maxmemory); 0 means unlimited', [], (snapshot, gauge) => {
    if (snapshot.redisMemory) gauge.set(snapshot.redisMemory.maxBytes);
  });

  private snapshotInFlight: { atMs: number; promise: Promise<QueueSnapshot> } | undefined;

  /** A gauge set from the queue snapshot on each scrape; a Redis outage leaves it as it was. */
  private snapshotGauge<L extends string>(name: string, help: string, labelNames: readonly L[], read: (snapshot: QueueSnapshot, gauge: Gauge<L>) => void): Gauge<L> {
    const gauge: Gauge<L> = new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect: async () => {
        const snapshot = await this.scrapeSnapshot();
        if (snapshot) read(snapshot, gauge);
      },
    });
    return gauge;
  }

  /** All snapshot gauges are collected in the same scrape: read Redis once for them. */
  private async scrapeSnapshot() {
    if (!this.queueSnapshot) return undefined;
    if (!this.snapshotInFlight || Date.now() - this.snapshotInFlight.atMs > 500) {
      this.snapshotInFlight = { atMs: Date.now(), promise: this.queueSnapshot() };
    }
    // A Redis outage leaves the gauges as they were instead of failing the whole scrape.
    return this.snapshotInFlight.promise.catch(() => undefined);
  }

  readonly genesysRequests = this.apiLatency('tgg_genesys_request_duration_seconds', 'Genesys Cloud API calls', ['route', 'status']);

  readonly telegramRequests = this.apiLatency('tgg_telegram_request_duration_seconds', 'Telegram Bot API calls', ['method', 'status']);

  /** Message retention (MESSAGE_RETENTION_DAYS): bodies cleared by the dispatcher's scheduled purge. */
  readonly messageBodiesPurged = this.counter('tgg_message_bodies_purged_total', 'Message bodies cleared by the retention job (rows keep their keys)', []);

  /** Reported by /health/dependencies' monitor; channel is empty for global dependencies (postgres, redis, genesys-token). */
  readonly dependencyUp = this.gauge('bridge_dependency_up', '1 when the last check of a dependency or credential succeeded, 0 when it failed (per channel for bot tokens and webhooks)', ['dependency', 'channel']);

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** Calls to Telegram and Genesys: one bucket layout, so their dashboards compare. */
  private apiLatency<L extends string>(name: string, help: string, labelNames: readonly L[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  }

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }
}

import { Inject, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import type { JobData, JobName } from '@tgg/contracts';
import { createIncomingMarks, type ChatOf, type IncomingMarks, type TurnPipeline } from '@tgg/chat-turns';
import { TypedProducer, defaultJobOptions, type QueueName } from '@tgg/queues';
import { ApiError } from './http-error.filter.js';
import { PRODUCER_REDIS } from './tokens.js';

/** How one webhook item is de-duplicated, marked and numbered on its way in. */
export interface IntakeArrival {
  /** (channel, update_id) or (channel, Genesys message id): the same item posted again is a duplicate. */
  dedupeId: string;
  dedupeTtlMs: number;
  /** The chat the item belongs to, if any: the item is marked as on its way into that chat's line. */
  chat: ChatOf | undefined;
  /** What the incoming mark names (update_id, Genesys message id). */
  incomingId: number | string;
  receivedAtMs: number;
  /** A fixed job id, or 'numbered': BullMQ numbers the job from the queue's counter, an arrival sequence. */
  jobId: string | 'numbered';
}

/** What a webhook's durable queue takes in: which queue and job, whose chat lines, how an item arrives. */
export interface ChatIntakeSpec<N extends JobName> {
  queue: QueueName;
  job: N;
  pipeline: TurnPipeline;
  arrivalOf(job: JobData<N>): IntakeArrival;
}

/**
 * The durable front door of a webhook (ingress for Telegram, outbound for Genesys). `enqueue`
 * resolves once Redis holds the job, or already held it ('duplicate'). BullMQ checks and sets the
 * deduplication key atomically inside its add script; the check before it feeds the duplicate
 * counter and, for an item of a chat, marks it as on its way into the chat's line in the same round
 * trip, so a worker killed while holding it (its job returns only when its lock expires) cannot let
 * the chat's later items overtake it (@tgg/chat-turns IncomingMarks).
 */
export class ChatIntakeQueue<N extends JobName> implements OnApplicationShutdown {
  private readonly queue: Queue;
  private readonly producer: TypedProducer<N>;
  private readonly incoming: IncomingMarks;

  constructor(
    private readonly redis: Redis,
    config: AppConfig,
    private readonly spec: ChatIntakeSpec<N>,
  ) {
    this.queue = new Queue(spec.queue, { connection: redis, prefix: config.redis.queuePrefix });
    this.producer = new TypedProducer(this.queue, spec.job, defaultJobOptions(config.delivery.deadLetterKeep));
    this.incoming = createIncomingMarks(redis, config.redis.queuePrefix, spec.pipeline);
  }

  async enqueue(job: JobData<N>): Promise<'accepted' | 'duplicate'> {
    const arrival = this.spec.arrivalOf(job);
    const dedupeKey = `${this.queue.keys['de']}:${arrival.dedupeId}`;
    const seen = arrival.chat
      ? (await this.incoming.mark(arrival.chat, arrival.incomingId, arrival.receivedAtMs, dedupeKey)) === 'duplicate'
      : (await this.redis.exists(dedupeKey)) === 1;
    if (seen) return 'duplicate';
    const deduplication = { id: arrival.dedupeId, ttl: arrival.dedupeTtlMs };
    if (arrival.jobId === 'numbered') await this.producer.addNumbered(job, { deduplication });
    else await this.producer.add(job, { jobId: arrival.jobId, deduplication });
    return 'accepted';
  }

  /**
   * `enqueue` for a webhook handler: counts the outcome, and when Redis cannot take the item answers
   * 503 with Retry-After, which Telegram and Genesys both honour by posting again later.
   */
  async enqueueOrAskToRetry(job: JobData<N>, report: IntakeReport): Promise<void> {
    const outcome = await unavailableAs503(report, () => this.enqueue(job));
    report.counter.inc({ outcome, reason: '' });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

/** Seconds the sender should wait before posting again when we cannot persist. */
const RETRY_AFTER_S = '5';

/** Where a webhook handler counts and logs what it took in. */
export interface IntakeReport {
  counter: Counter<'outcome' | 'reason'>;
  logger: Logger;
  fields: Record<string, unknown>;
  /** What the sender posted, for the log line and the 503 body: 'update', 'message'. */
  noun: string;
}

/**
 * Runs what a webhook must store before it answers 200; when that fails (Redis down) it counts a
 * rejection and answers 503 with Retry-After, so the sender posts again later instead of losing it.
 */
export async function unavailableAs503<T>(report: IntakeReport, persist: () => Promise<T>): Promise<T> {
  try {
    return await persist();
  } catch (error) {
    report.counter.inc({ outcome: 'rejected', reason: 'unavailable' });
    report.logger.warn({ ...report.fields, err: { message: error instanceof Error ? error.message : String(error) } }, `cannot persist ${report.noun}; asking the sender to retry`);
    throw new ApiError(503, 'unavailable', `cannot persist the ${report.noun} right now`, { 'retry-after': RETRY_AFTER_S });
  }
}

/** Provides a ChatIntakeQueue under `token`, on the front door's fail-fast Redis connection. */
export function chatIntakeQueueProvider<N extends JobName>(token: symbol, spec: ChatIntakeSpec<N>): Provider {
  return {
    provide: token,
    inject: [PRODUCER_REDIS, APP_CONFIG],
    useFactory: (redis: Redis, config: AppConfig) => new ChatIntakeQueue(redis, config, spec),
  };
}


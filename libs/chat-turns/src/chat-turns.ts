import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChatId, JobData, OrderKey } from '@tgg/contracts';
import { ChatTurnStore, type AcceptOutcome } from './chat-turn-store.js';
import { chatRefOf, type ChatRef } from './ids.js';
import { TurnScheduler, type TurnClaim, type TurnJobName, type TurnProducer } from './turn-scheduler.js';
import { TurnSweepLoop } from './turn-sweep-loop.js';

/**
 * The two pipelines that order chats. Each has its own Redis namespace (the same chat never shares
 * turns between them), the job its turns become, and the word its log lines use for an item.
 */
export const TURN_PIPELINES = {
  /** ingress → sequencer (reorder window) → dispatcher, on genesys-inbound. */
  inbound: { namespace: 'seq', jobName: 'genesys-message-ready.v1', itemNoun: 'message' },
  /** Genesys webhook → reply intake (window 0) → Telegram sender, on telegram-sends. */
  outbound: { namespace: 'out', jobName: 'telegram-reply-ready.v1', itemNoun: 'reply' },
} as const;
export type TurnPipeline = keyof typeof TURN_PIPELINES;
export type PipelineJobName<P extends TurnPipeline> = (typeof TURN_PIPELINES)[P]['jobName'];

/**
 * How long an item the front door acknowledged (ingress, the Genesys webhook) may hold its chat
 * back while on its way into the chat's line: a killed intake worker's job comes back after its
 * lock expires, so a little longer than that.
 */
export function incomingStaleMs(workerLockMs: number): number {
  return 2 * workerLockMs + 5000;
}

/** The log a ChatTurns writes to (a pino Logger fits). */
export interface TurnLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Where a chat's items are named: the job payload fields that say which chat. */
export interface ChatOf {
  channel: string;
  chatId: ChatId;
}

/** A job payload of the pipeline that takes a turn (`orderKey` null: it takes none, e.g. my_chat_member). */
export type TurnItem<N extends TurnJobName> = JobData<N> & { orderKey: OrderKey };

/**
 * The front door's part (ingress, the Genesys webhook): mark an item as on its way into its chat's
 * line before acknowledging it, and drop the mark of one that will never arrive (dead-lettered
 * before it was accepted).
 */
export class IncomingMarks {
  constructor(private readonly store: ChatTurnStore) {}

  /** 'duplicate' when `dedupeKey` exists (accepted before); else marks `incomingId` for its chat. One round trip. */
  mark(chat: ChatOf, incomingId: number | string, nowMs: number, dedupeKey: string): Promise<'duplicate' | 'marked'> {
    return this.store.markIncoming(chatRefOf(chat.channel, chat.chatId), incomingId, nowMs, dedupeKey);
  }

  clear(chat: ChatOf, incomingId: number | string): Promise<void> {
    return this.store.clearIncoming(chatRefOf(chat.channel, chat.chatId), incomingId);
  }
}

export interface SweepSettings {
  intervalMs: number;
  errorPauseMs: number;
  /** Called at most every 10 s while sweeping keeps failing (e.g. Redis down). */
  onError: (error: unknown) => void;
}

/**
 * Per-chat turns as the apps use them: one item of a chat in flight at a time, in order, chats in
 * parallel. Whoever takes items in (the sequencer, the reply intake) calls `accept`; the consumer
 * of the turn's queue calls `takeTurn` before working on a job and `finishTurn` after it
 * (delivered, skipped or dead-lettered); sweepers run `sweepLoop`. The Redis state is
 * ChatTurnStore's, the order rules ReorderBuffer's.
 */
export class ChatTurns<N extends TurnJobName> {
  readonly incoming: IncomingMarks;

  constructor(
    private readonly store: ChatTurnStore,
    private readonly scheduler: TurnScheduler<N>,
    private readonly producer: TurnProducer<N>,
    private readonly log: TurnLog,
    private readonly itemNoun: string,
  ) {
    this.incoming = new IncomingMarks(store);
  }

  /**
   * Puts `item` into its chat's line, held for `windowMs` (0: no hold-back). When it may leave at
   * once (late, or window 0) the chat is advanced here, so it needs no sweep; a duplicate with
   * window 0 is this intake re-run after a crash, whose turn may be in flight with its job never
   * added, so that advance rechecks it. A duplicate under a window waits for the sweeper as before.
   */
  async accept(item: TurnItem<N>, options: { windowMs: number; incomingId?: number | string; nowMs?: number }): Promise<AcceptOutcome> {
    const chatRef = chatRefOf(item.channel, item.chatId);
    const nowMs = options.nowMs ?? Date.now();
    const outcome = await this.store.accept(chatRef, item.orderKey, JSON.stringify(item), nowMs, options.windowMs, options.incomingId);
    if (outcome === 'late' || options.windowMs === 0) await this.scheduler.advance(chatRef, nowMs, { recheck: outcome === 'duplicate' });
    return outcome;
  }

  /** The chat's highest key, released or held: what a tap is ordered after (tapOrderKeyAfter). */
  highestKey(chat: ChatOf): Promise<OrderKey | undefined> {
    return this.store.highestKey(chatRefOf(chat.channel, chat.chatId));
  }

  /** Puts an item that takes no turn (my_chat_member) straight on the turns' queue. */
  async sendWithoutTurn(item: JobData<N>, jobId: string): Promise<void> {
    await this.producer.add(item, { jobId });
  }

  /**
   * For the consumer, before it works on a job: 'turn' when the job holds its chat's turn (or its
   * item takes none). Otherwise it is a replayed dead letter ('requeued': put back in its chat's
   * line, this job ends doing nothing; 'stray': another job holds that turn) — logged here, once
   * for both pipelines. See TurnScheduler.claimTurn.
   */
  async takeTurn(item: JobData<N>, jobId: string | undefined): Promise<TurnClaim> {
    if (item.orderKey === null) return 'turn';
    const claim = await this.scheduler.claimTurn({ ...item, orderKey: item.orderKey }, jobId, Date.now());
    if (claim !== 'turn') {
      const what = claim === 'requeued' ? `replayed ${this.itemNoun} queued for its chat's turn` : `replayed ${this.itemNoun} already queued for its chat's turn`;
      this.log.info({ jobId, chatId: item.chatId, claim }, what);
    }
    return claim;
  }

  /** Ends the item's turn and hands its chat the next one at once; nothing for an item without a turn. */
  async finishTurn(item: JobData<N>): Promise<void> {
    if (item.orderKey === null) return;
    const chatRef = chatRefOf(item.channel, item.chatId);
    const nowMs = Date.now();
    await this.store.finish(chatRef, item.orderKey, nowMs);
    await this.scheduler.advance(chatRef, nowMs, { recheck: false });
  }

  /** Moves one chat on: hands out its next turn, and with `recheck` makes sure a turn in flight still has its job. */
  advance(chatRef: ChatRef, nowMs: number, options: { recheck: boolean }): Promise<void> {
    return this.scheduler.advance(chatRef, nowMs, options);
  }

  /** A loop that advances (with recheck) every chat that is due: windows passed, in-flight turns to look at again. */
  sweepLoop(settings: SweepSettings): TurnSweepLoop {
    return new TurnSweepLoop({ store: this.store, advance: (chatRef, nowMs) => this.advance(chatRef, nowMs, { recheck: true }), ...settings });
  }
}

export interface ChatTurnsSettings<P extends TurnPipeline> {
  pipeline: P;
  /** The turns' queue (genesys-inbound, telegram-sends) and what adds the pipeline's job to it. */
  queue: Pick<Queue, 'getJobState'>;
  producer: TurnProducer<PipelineJobName<P>>;
  queuePrefix: string;
  log: TurnLog;
  inflightRecheckMs?: number;
  incomingStaleMs?: number;
}

export function createChatTurns<P extends TurnPipeline>(redis: Redis, settings: ChatTurnsSettings<P>): ChatTurns<PipelineJobName<P>> {
  const { namespace, itemNoun } = TURN_PIPELINES[settings.pipeline];
  const store = new ChatTurnStore(redis, settings.queuePrefix, { namespace, inflightRecheckMs: settings.inflightRecheckMs, incomingStaleMs: settings.incomingStaleMs });
  const scheduler = new TurnScheduler(store, settings.producer, settings.queue, (chatRef, orderKey) =>
    settings.log.error({ chatRef, orderKey }, `${itemNoun} turn held unreadable data; skipped it`),
  );
  return new ChatTurns(store, scheduler, settings.producer, settings.log, itemNoun);
}

/** The front door's marks for a pipeline, on the front door's own (fail-fast) connection. */
export function createIncomingMarks(redis: Redis, queuePrefix: string, pipeline: TurnPipeline): IncomingMarks {
  return new IncomingMarks(new ChatTurnStore(redis, queuePrefix, { namespace: TURN_PIPELINES[pipeline].namespace }));
}

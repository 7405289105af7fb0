import type { Queue } from 'bullmq';
import { toJobId, type ChatId, type JobData, type JobName, type OrderKey } from '@tgg/contracts';
import type { ChatTurnStore } from './chat-turn-store.js';
import { chatRefOf, type ChatRef } from './ids.js';

/** Job names whose payload names its chat and turn (null: an item that takes no turn), so a turn can be put on a queue as that job. */
export type TurnJobName = {
  [N in JobName]: JobData<N> extends { channel: string; chatId: ChatId; orderKey: OrderKey | null } ? N : never;
}[JobName];

/** A turn's item: its chat, its place, and how often an operator's replay put it back in line. */
export interface TurnRef {
  channel: string;
  chatId: ChatId;
  orderKey: OrderKey;
  replay?: number | undefined;
}

/**
 * What puts a turn's item on its queue: @tgg/queues' TypedProducer fits. An interface, not that
 * class, because this lib is an adapter and adapters do not import each other (STYLE §3.6).
 */
export interface TurnProducer<N extends TurnJobName> {
  add(data: JobData<N>, options: { jobId: string }): Promise<void>;
  /** Reads untrusted data (JSON kept in Redis) as the payload; undefined when it does not fit. */
  parse(value: unknown): JobData<N> | undefined;
}

/**
 * The job id of a turn. A turn put back in line after a replay gets a new one (`.r<n>`): the
 * replayed job that did so still holds the old id.
 */
export function turnJobId(turn: TurnRef): string {
  return toJobId('m', turn.channel, turn.chatId, turn.orderKey, ...(turn.replay ? [`r${turn.replay}`] : []));
}

/** What a consumer does with a job: work on it, or nothing (see TurnScheduler.claimTurn). */
export type TurnClaim = 'turn' | 'requeued' | 'stray';

/**
 * Moves a chat to its next turn and puts that turn on the turn's queue (genesys-inbound for the
 * inbound path, telegram-sends for replies). Called by whoever accepts items (the sequencer, the
 * reply intake), by sweepers (window expired, periodic recheck) and by the consumer right after it
 * finished a turn, so the next item of a busy chat leaves without waiting for a sweep.
 */
export class TurnScheduler<N extends TurnJobName> {
  constructor(
    private readonly store: ChatTurnStore,
    private readonly producer: TurnProducer<N>,
    private readonly queue: Pick<Queue, 'getJobState'>,
    private readonly onCorruptTurn: (chatRef: ChatRef, orderKey: OrderKey) => void,
  ) {}

  /**
   * `recheck`: for a turn already in flight, make sure its job still exists — the job is added
   * after the turn is taken, so a crash in between would otherwise stall the chat. A job id is
   * derived from the turn, so adding it again is harmless.
   */
  async advance(chatRef: ChatRef, nowMs: number, options: { recheck: boolean }): Promise<void> {
    const turn = await this.store.advance(chatRef, nowMs);
    if (!turn) return;
    const item = this.producer.parse(safeJson(turn.itemJson));
    if (!item) {
      this.onCorruptTurn(chatRef, turn.orderKey);
      await this.store.finish(chatRef, turn.orderKey, nowMs);
      return this.advance(chatRef, nowMs, { recheck: false });
    }
    // A stored item always carries its turn's key; the turn's own key is the one that counts.
    const jobId = turnJobId({ ...item, orderKey: turn.orderKey });
    if (turn.isNewTurn) {
      await this.producer.add(item, { jobId });
      return;
    }
    if (!options.recheck) return;
    const state = await this.queue.getJobState(jobId);
    if (state === 'unknown') {
      await this.producer.add(item, { jobId });
    } else if (state === 'completed' || state === 'failed') {
      // The job ended but its turn was not released (a crash between the two): release it now.
      await this.store.finish(chatRef, turn.orderKey, nowMs);
      await this.advance(chatRef, nowMs, { recheck: false });
    }
  }

  /**
   * For the consumer, before it works on a job: 'turn' when the job holds its chat's turn (the
   * normal case, and a job re-run after a crash). A job without it is a dead letter an operator
   * replayed (`dlq replay`): its turn ended when it was dead-lettered, and working on it at once
   * would let the replayed items of one chat overtake each other (the CLI replays oldest first,
   * but workers run in parallel). It goes back into its chat's reorder buffer instead, held
   * briefly so the rest of the replay can join it, then handed out in key order after whatever
   * the chat has in flight, as a turn with a new job id ('requeued': this job ends doing nothing). 'stray':
   * the turn is in flight under another job's id (the same dead letter replayed twice); that job
   * does the work.
   */
  async claimTurn(item: TurnRef, jobId: string | undefined, nowMs: number): Promise<TurnClaim> {
    const chatRef = chatRefOf(item.channel, item.chatId);
    const requeued = await this.store.requeue(chatRef, item.orderKey, JSON.stringify({ ...item, replay: (item.replay ?? 0) + 1 }), nowMs);
    if (requeued.outcome === 'turn') {
      const holder = this.producer.parse(safeJson(requeued.itemJson));
      // The holder is the item stored for this very key; only its replay count can differ.
      return holder === undefined || turnJobId({ ...holder, orderKey: item.orderKey }) === jobId ? 'turn' : 'stray';
    }
    return 'requeued';
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

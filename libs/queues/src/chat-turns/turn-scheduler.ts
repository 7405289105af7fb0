import type { Queue } from 'bullmq';
import type { JobData, JobName } from '@tgg/contracts';
import type { TypedProducer } from '../typed-producer.js';
import { toJobId } from '../typed-producer.js';
import { ChatTurnStore } from './chat-turn-store.js';

/** Job names whose payload names its chat and turn, so a turn can be put on a queue as that job. */
export type TurnJobName = {
  [N in JobName]: JobData<N> extends { channel: string; chatId: string; orderKey: string } ? N : never;
}[JobName];

/** A turn's item: its chat, its place, and how often an operator's replay put it back in line. */
export interface TurnRef {
  channel: string;
  chatId: string;
  orderKey: string;
  replay?: number | undefined;
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
export class TurnScheduler<N extends TurnJobName = 'genesys-message-ready.v1'> {
  constructor(
    private readonly store: ChatTurnStore,
    private readonly producer: TypedProducer<N>,
    private readonly queue: Queue,
    private readonly onCorruptTurn: (chatRef: string, orderKey: string) => void,
  ) {}

  /**
   * `recheck`: for a turn already in flight, make sure its job still exists — the job is added
   * after the turn is taken, so a crash in between would otherwise stall the chat. A job id is
   * derived from the turn, so adding it again is harmless.
   */
  async advance(chatRef: string, nowMs: number, options: { recheck: boolean }): Promise<void> {
    const turn = await this.store.advance(chatRef, nowMs);
    if (!turn) return;
    const item = this.producer.parse(safeJson(turn.itemJson));
    if (!item) {
      this.onCorruptTurn(chatRef, turn.orderKey);
      await this.store.finish(chatRef, turn.orderKey, nowMs);
      return this.advance(chatRef, nowMs, { recheck: false });
    }
    const jobId = turnJobId(item);
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
   * would let the replayed items of one chat overtake each other (the CLI replays newest first,
   * workers run in parallel). It goes back into its chat's reorder buffer instead, held briefly
   * so the rest of the replay can join it, then handed out in key order after whatever the chat
   * has in flight, as a turn with a new job id ('requeued': this job ends doing nothing). 'stray':
   * the turn is in flight under another job's id (the same dead letter replayed twice); that job
   * does the work.
   */
  async claimTurn(item: TurnRef, jobId: string | undefined, nowMs: number): Promise<TurnClaim> {
    const chatRef = ChatTurnStore.chatRef(item.channel, item.chatId);
    const requeued = await this.store.requeue(chatRef, item.orderKey, JSON.stringify({ ...item, replay: (item.replay ?? 0) + 1 }), nowMs);
    if (requeued.outcome === 'turn') {
      const holder = this.producer.parse(safeJson(requeued.itemJson));
      return holder === undefined || turnJobId(holder) === jobId ? 'turn' : 'stray';
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

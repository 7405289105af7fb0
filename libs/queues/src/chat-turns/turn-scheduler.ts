import type { Queue } from 'bullmq';
import type { JobData, JobName } from '@tgg/contracts';
import type { TypedProducer } from '../typed-producer.js';
import { toJobId } from '../typed-producer.js';
import type { ChatTurnStore } from './chat-turn-store.js';

/** Job names whose payload names its chat and turn, so a turn can be put on a queue as that job. */
export type TurnJobName = {
  [N in JobName]: JobData<N> extends { channel: string; chatId: string; orderKey: string } ? N : never;
}[JobName];

export function turnJobId(turn: { channel: string; chatId: string; orderKey: string }): string {
  return toJobId('m', turn.channel, turn.chatId, turn.orderKey);
}

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
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

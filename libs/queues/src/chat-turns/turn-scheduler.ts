import type { Queue } from 'bullmq';
import { GenesysMessageReadyV1 } from '@tgg/contracts';
import type { TypedProducer } from '../typed-producer.js';
import { toJobId } from '../typed-producer.js';
import type { ChatTurnStore } from './chat-turn-store.js';

export function turnJobId(turn: { channel: string; chatId: string; orderKey: string }): string {
  return toJobId('m', turn.channel, turn.chatId, turn.orderKey);
}

/**
 * Moves a chat to its next turn and puts that turn on the genesys-inbound queue. Called by the
 * sequencer (window expired, late arrival, periodic recheck) and by the dispatcher right after it
 * finished a turn, so the next message of a busy chat leaves without waiting for a sweep.
 */
export class TurnScheduler {
  constructor(
    private readonly store: ChatTurnStore,
    private readonly producer: TypedProducer<'genesys-message-ready.v1'>,
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
    const parsed = GenesysMessageReadyV1.safeParse(safeJson(turn.itemJson));
    if (!parsed.success) {
      this.onCorruptTurn(chatRef, turn.orderKey);
      await this.store.finish(chatRef, turn.orderKey, nowMs);
      return this.advance(chatRef, nowMs, { recheck: false });
    }
    const jobId = turnJobId(parsed.data);
    if (turn.isNewTurn) {
      await this.producer.add(parsed.data, { jobId });
      return;
    }
    if (!options.recheck) return;
    const state = await this.queue.getJobState(jobId);
    if (state === 'unknown') {
      await this.producer.add(parsed.data, { jobId });
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

import type { ChatTurnStore } from './chat-turn-store.js';
import type { ChatRef } from './ids.js';

export interface TurnSweepLoopOptions {
  store: Pick<ChatTurnStore, 'dueChats'>;
  advance: (chatRef: ChatRef, nowMs: number) => Promise<void>;
  intervalMs: number;
  errorPauseMs: number;
  /** Called at most every 10 s while sweeping keeps failing (e.g. Redis down). */
  onError: (error: unknown) => void;
}

/**
 * Advances every chat whose turn is due, over and over, until stopped. Used by the sequencer
 * (reorder windows expiring, in-flight rechecks) and the outbound sender (rechecks). Any number of
 * replicas may sweep at once: the Redis scripts make each step happen once.
 */
export class TurnSweepLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: TurnSweepLoopOptions) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** One pass: every due chat advances. Returns how many were due. */
  async sweepOnce(nowMs: number): Promise<number> {
    const chats = await this.options.store.dueChats(nowMs);
    await Promise.all(chats.map((chatRef) => this.options.advance(chatRef, nowMs)));
    return chats.length;
  }

  private async run(): Promise<void> {
    let lastErrorReportMs = 0;
    while (this.running) {
      let pauseMs = this.options.intervalMs;
      try {
        await this.sweepOnce(Date.now());
      } catch (error) {
        pauseMs = this.options.errorPauseMs;
        if (Date.now() - lastErrorReportMs > 10_000) {
          lastErrorReportMs = Date.now();
          this.options.onError(error);
        }
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, pauseMs);
      });
    }
  }
}

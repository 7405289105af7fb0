import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER, TURN_MACHINERY } from '@tgg/platform';
import type { TurnMachinery } from '@tgg/queues';


/** How often due chats are looked for; the window's precision is this much. */
const SWEEP_INTERVAL_MS = 10;
const ERROR_PAUSE_MS = 1000;

/**
 * Releases chats whose reorder window has passed, and rechecks in-flight turns. Any number of
 * sequencer replicas may sweep at once: the Redis scripts make each release happen once.
 */
@Injectable()
export class DueChatsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    @Inject(TURN_MACHINERY) private readonly turns: TurnMachinery,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** One pass: every due chat advances (exported for tests). */
  async sweepOnce(nowMs: number): Promise<number> {
    const chats = await this.turns.store.dueChats(nowMs);
    await Promise.all(chats.map((chatRef) => this.turns.scheduler.advance(chatRef, nowMs, { recheck: true })));
    return chats.length;
  }

  private async run(): Promise<void> {
    let lastErrorLogMs = 0;
    while (this.running) {
      let pauseMs = SWEEP_INTERVAL_MS;
      try {
        await this.sweepOnce(Date.now());
      } catch (error) {
        pauseMs = ERROR_PAUSE_MS;
        if (Date.now() - lastErrorLogMs > 10_000) {
          lastErrorLogMs = Date.now();
          this.logger.warn({ err: { message: (error as Error).message } }, 'sweeping due chats failed; retrying');
        }
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, pauseMs);
      });
    }
  }
}

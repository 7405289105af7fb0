import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER, TURN_MACHINERY } from '@tgg/service-runtime';
import { TurnSweepLoop, type TurnMachinery } from '@tgg/queues';

/** How often due chats are looked for; the reorder window's precision is this much. */
const SWEEP_INTERVAL_MS = 10;
const ERROR_PAUSE_MS = 1000;

/** Releases chats whose reorder window has passed, and rechecks in-flight turns. */
@Injectable()
export class DueChatsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: TurnSweepLoop;

  constructor(@Inject(TURN_MACHINERY) turns: TurnMachinery, @Inject(LOGGER) logger: Logger) {
    this.loop = new TurnSweepLoop({
      store: turns.store,
      advance: (chatRef, nowMs) => turns.scheduler.advance(chatRef, nowMs, { recheck: true }),
      intervalMs: SWEEP_INTERVAL_MS,
      errorPauseMs: ERROR_PAUSE_MS,
      onError: (error) => logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'sweeping due chats failed; retrying'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}

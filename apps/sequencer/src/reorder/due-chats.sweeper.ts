import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { TurnSweepLoop } from '@tgg/chat-turns';
import { INBOUND_TURNS, LOGGER, type InboundTurns } from '@tgg/service-runtime';

/** How often due chats are looked for; the reorder window's precision is this much. */
const SWEEP_INTERVAL_MS = 10;
const ERROR_PAUSE_MS = 1000;

/** Releases chats whose reorder window has passed, and rechecks in-flight turns. */
@Injectable()
export class DueChatsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: TurnSweepLoop;

  constructor(@Inject(INBOUND_TURNS) turns: InboundTurns, @Inject(LOGGER) logger: Logger) {
    this.loop = turns.sweepLoop({
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

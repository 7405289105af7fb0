import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { TurnSweepLoop } from '@tgg/chat-turns';
import { LOGGER, OUTBOUND_TURNS, type OutboundTurns } from '@tgg/service-runtime';
import { messageOf } from '../error-message.js';

/**
 * Replies need no hold-back window, so turns normally move only when a reply is accepted or a send
 * finishes. This catches the rest: a chat whose next turn was never handed out, or whose in-flight
 * job was lost, because a process died between two Redis writes.
 */
const SWEEP_INTERVAL_MS = 500;
const ERROR_PAUSE_MS = 2000;

@Injectable()
export class ReplyTurnsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: TurnSweepLoop;

  constructor(@Inject(OUTBOUND_TURNS) turns: OutboundTurns, @Inject(LOGGER) logger: Logger) {
    this.loop = turns.sweepLoop({
      intervalMs: SWEEP_INTERVAL_MS,
      errorPauseMs: ERROR_PAUSE_MS,
      onError: (error) => logger.warn({ err: { message: messageOf(error) } }, 'sweeping reply turns failed; retrying'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}

import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import type { TurnPipeline, TurnSweepLoop } from '@tgg/chat-turns';
import { INBOUND_TURNS, OUTBOUND_TURNS, type InboundTurns, type OutboundTurns } from './chat-turns.providers.js';
import { LOGGER } from './tokens.js';

export interface TurnSweeperSettings {
  /** How often the pipeline's chats are swept; for the reorder window this is its precision. */
  intervalMs: number;
  /** The pause after a failed sweep (e.g. Redis down) before the next. */
  errorPauseMs: number;
  /** What is swept, for the log line when sweeping fails: 'due chats', 'reply turns'. */
  what: string;
}

/**
 * Runs the pipeline's sweep loop (@tgg/chat-turns `sweepLoop`) from bootstrap to shutdown: releases
 * chats whose reorder window passed, hands out turns nobody handed out, and rechecks in-flight turns
 * whose job was lost because a process died between two Redis writes. Needs chatTurnsProviders(pipeline).
 */
export function turnSweeperProvider(pipeline: TurnPipeline, settings: TurnSweeperSettings): Provider {
  const turnsToken = pipeline === 'inbound' ? INBOUND_TURNS : OUTBOUND_TURNS;

  @Injectable()
  class TurnSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
    private readonly loop: TurnSweepLoop;

    constructor(@Inject(turnsToken) turns: InboundTurns | OutboundTurns, @Inject(LOGGER) logger: Logger) {
      this.loop = turns.sweepLoop({
        intervalMs: settings.intervalMs,
        errorPauseMs: settings.errorPauseMs,
        onError: (error) => logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, `sweeping ${settings.what} failed; retrying`),
      });
    }

    onApplicationBootstrap(): void {
      this.loop.start();
    }

    async beforeApplicationShutdown(): Promise<void> {
      await this.loop.stop();
    }
  }

  return TurnSweeper;
}

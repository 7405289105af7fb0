import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@tgg/platform';
import { OUTBOUND_TURNS, type OutboundTurns } from './outbound-turns.providers.js';
import { messageOf } from '../error-message.js';

/**
 * Replies need no hold-back window, so turns normally move only when a reply is accepted or a send
 * finishes. This catches the rest: a chat whose next turn was never handed out, or whose in-flight
 * job was lost, because a process died between two Redis writes. Any number of replicas may sweep.
 */
const SWEEP_INTERVAL_MS = 500;
const ERROR_PAUSE_MS = 2000;

@Injectable()
export class ReplyTurnsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    @Inject(OUTBOUND_TURNS) private readonly turns: OutboundTurns,
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
          this.logger.warn({ err: { message: messageOf(error) } }, 'sweeping reply turns failed; retrying');
        }
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, pauseMs);
      });
    }
  }
}

import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { GenesysTokenCache } from '@tgg/genesys';
import { LOGGER } from '../tokens.js';
import { GENESYS_TOKENS } from './genesys.providers.js';

const POLL_INTERVAL_MS = 5 * 60_000;

/**
 * Fetches the Genesys token at start and every few minutes, so /health/ready reports revoked
 * credentials from a cached result and the first message does not pay for the token request.
 */
@Injectable()
export class TokenHealthPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private wasHealthy = true;

  constructor(
    @Inject(GENESYS_TOKENS) private readonly tokens: GenesysTokenCache | undefined,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.tokens) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_INTERVAL_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    try {
      await this.tokens?.token();
      if (!this.wasHealthy) this.logger.info('Genesys token fetch works again');
      this.wasHealthy = true;
    } catch (error) {
      // One line per change of state, not one per poll.
      if (this.wasHealthy) this.logger.error({ err: { message: (error as Error).message } }, 'cannot get a Genesys token; messages wait until it works');
      this.wasHealthy = false;
    }
  }
}

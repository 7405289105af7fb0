import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@tgg/telemetry';
import { GENESYS_TOKENS } from './genesys-tokens.js';
import type { GenesysTokenCache } from './token-cache.js';

const POLL_INTERVAL_MS = 3 * 60_000;

/**
 * The one place a process polls the Genesys token: at start and every few minutes, so the first
 * message or receipt does not pay for the token request and a revoked client shows up before a
 * delivery fails on it. Everything else reads the outcome from the token cache (`lastHealth()`,
 * which real traffic refreshes too): /health/dependencies and `bridge_dependency_up` through
 * service-runtime's `genesysTokenDependency`. `token()` only calls Genesys when the cached token is
 * missing or near expiry, so a poll is free while the token is good.
 */
@Injectable()
export class GenesysTokenPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
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
      if (this.wasHealthy) this.logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'cannot get a Genesys token; calls to Genesys wait until it works');
      this.wasHealthy = false;
    }
  }
}

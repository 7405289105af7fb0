import { Injectable } from '@nestjs/common';

/**
 * Set on SIGTERM before anything closes, so /health/ready answers 503 first (SPEC §4) and the load
 * balancer stops sending new work while in-flight requests and running jobs finish.
 */
@Injectable()
export class ShutdownState {
  private startedAtMs: number | undefined;

  begin(nowMs = Date.now()): void {
    this.startedAtMs ??= nowMs;
  }

  get shuttingDown(): boolean {
    return this.startedAtMs !== undefined;
  }
}

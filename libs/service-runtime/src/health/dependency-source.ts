/**
 * What GET /health/dependencies and `bridge_dependency_up` report on. Nothing here gates
 * readiness (SPEC §4): a Postgres blip, a Genesys OAuth outage or one revoked bot token must not
 * take a receiver out of service, so they are reported, not probed.
 */
export type DependencyState = 'up' | 'down' | 'unknown';

export interface DependencyStatus {
  /** e.g. postgres, redis, genesys-token, telegram-getme, telegram-webhook */
  readonly dependency: string;
  /** Set for per-channel dependencies (a bot's token, its webhook). */
  readonly channel?: string;
  readonly state: DependencyState;
  /** A short human note; never a secret (messages pass through `safeDetail`). */
  readonly detail?: string;
}

/**
 * One source of statuses. `statuses()` must be cheap: it runs every few seconds, so anything on
 * the far side (Telegram, Genesys) is read from a poller's cache, never called on demand.
 */
export interface DependencySource {
  readonly name: string;
  statuses(): Promise<DependencyStatus[]>;
}

export const DEPENDENCY_SOURCES = Symbol('DEPENDENCY_SOURCES');

const MAX_DETAIL_CHARS = 200;

/**
 * The first line of an error message, without credentials a driver may echo: `user:password@` in a
 * connection URL and the bot token in a Bot API path.
 */
export function safeDetail(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
  return firstLine
    .replace(/\/\/[^/@\s]*@/g, '//***@')
    .replace(/\/(file\/)?bot[^/\s]+\//g, (_match, file: string | undefined) => `/${file ?? ''}bot<redacted>/`)
    .slice(0, MAX_DETAIL_CHARS);
}

/** A source of one global dependency from a check that resolves (up, with an optional note) or rejects (down). */
export function singleDependency(dependency: string, check: () => Promise<string | undefined>): DependencySource {
  return {
    name: dependency,
    async statuses() {
      try {
        const detail = await check();
        return [{ dependency, state: 'up', ...(detail ? { detail } : {}) }];
      } catch (error) {
        return [{ dependency, state: 'down', detail: safeDetail(error) }];
      }
    },
  };
}

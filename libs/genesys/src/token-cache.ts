import { GenesysTokenResponse, RetryableError } from '@tgg/contracts';
import { retryAfterMs } from './response-classification.js';

export interface TokenCacheOptions {
  loginBaseUrl: string;
  clientId: string;
  clientSecret: string;
  now?: () => number;
  timeoutMs?: number;
  onRequest?: (status: number | 'error', durationS: number) => void;
}

export interface TokenHealth {
  ok: boolean;
  checkedAtMs: number;
  message?: string;
}

// Client-credentials tokens have no refresh token: fetch a new one this long before expiry.
const REFRESH_MARGIN_MS = 60_000;

/**
 * The Genesys OAuth client-credentials token, fetched once and shared: one request in flight at a
 * time however many jobs ask, refreshed before expiry, dropped on a 401 so the caller retries once.
 */
export class GenesysTokenCache {
  private current: { accessToken: string; expiresAtMs: number } | undefined;
  private inFlight: Promise<string> | undefined;
  private health: TokenHealth | undefined;
  private readonly now: () => number;

  constructor(private readonly options: TokenCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  async token(): Promise<string> {
    if (this.current && this.now() < this.current.expiresAtMs - REFRESH_MARGIN_MS) return this.current.accessToken;
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The API answered 401 with this token: forget it (unless a newer one already replaced it). */
  invalidate(accessToken: string): void {
    if (this.current?.accessToken === accessToken) this.current = undefined;
  }

  /** The last fetch's outcome, for /health/dependencies (never triggers a request itself). */
  lastHealth(): TokenHealth | undefined {
    return this.health;
  }

  private async fetchToken(): Promise<string> {
    const started = this.now();
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
    let response: Response;
    try {
      response = await fetch(`${this.options.loginBaseUrl}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      this.options.onRequest?.('error', (this.now() - started) / 1000);
      this.health = { ok: false, checkedAtMs: this.now(), message: 'token endpoint unreachable' };
      throw new RetryableError('Genesys token endpoint unreachable', 'genesys_token_unreachable', undefined, { cause: error });
    }
    this.options.onRequest?.(response.status, (this.now() - started) / 1000);
    if (!response.ok) {
      await response.body?.cancel();
      const message = `Genesys token request answered ${response.status}`;
      this.health = { ok: false, checkedAtMs: this.now(), message };
      // Rejected credentials need an operator, not a dead letter: keep messages waiting (and readiness red).
      if (response.status === 400 || response.status === 401 || response.status === 403) {
        throw new RetryableError(`${message}: check GENESYS_CLIENT_ID/GENESYS_CLIENT_SECRET`, 'genesys_token_rejected', 30_000);
      }
      throw new RetryableError(message, 'genesys_token_unavailable', retryAfterMs(response.headers.get('retry-after'), this.now()));
    }
    const parsed = GenesysTokenResponse.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      this.health = { ok: false, checkedAtMs: this.now(), message: 'token response not understood' };
      throw new RetryableError('Genesys token response not understood', 'genesys_token_malformed');
    }
    this.current = { accessToken: parsed.data.access_token, expiresAtMs: started + parsed.data.expires_in * 1000 };
    this.health = { ok: true, checkedAtMs: this.now() };
    return parsed.data.access_token;
  }
}

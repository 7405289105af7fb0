import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { GenesysTokenCache, OpenMessagingClient } from '@tgg/genesys';
import type { ReadinessCheck } from '../health/readiness-check.js';
import { METRICS } from '../tokens.js';
import type { BridgeMetrics } from '@tgg/telemetry';

/** Absent when no Genesys OAuth client is configured (a bare sandbox-mode process). */
export const GENESYS_TOKENS = Symbol('GENESYS_TOKENS');

/** The Genesys token cache and Open Messaging client, shared by the dispatcher and outbound. */
export const genesysProviders: Provider[] = [
  {
    provide: GENESYS_TOKENS,
    inject: [APP_CONFIG, METRICS],
    useFactory: (config: AppConfig, metrics: BridgeMetrics): GenesysTokenCache | undefined => {
      const { clientId, clientSecret, loginBaseUrl } = config.genesys;
      if (!clientId || !clientSecret) return undefined;
      return new GenesysTokenCache({
        loginBaseUrl,
        clientId,
        clientSecret,
        onRequest: (status, durationS) => metrics.genesysRequests.observe({ route: 'token', status: String(status) }, durationS),
      });
    },
  },
  {
    provide: OpenMessagingClient,
    inject: [APP_CONFIG, METRICS, GENESYS_TOKENS],
    useFactory: (config: AppConfig, metrics: BridgeMetrics, tokens: GenesysTokenCache | undefined) =>
      tokens
        ? new OpenMessagingClient({
            apiBaseUrl: config.genesys.apiBaseUrl,
            tokens,
            onRequest: (route, status, durationS) => metrics.genesysRequests.observe({ route, status: String(status) }, durationS),
          })
        : undefined,
  },
];

/** Readiness from the cached token result: probes never call Genesys themselves. */
export function genesysTokenCheck(tokens: GenesysTokenCache | undefined): ReadinessCheck {
  return {
    name: 'genesys-token',
    async check() {
      if (!tokens) throw new Error('no Genesys OAuth client configured (GENESYS_CLIENT_ID/GENESYS_CLIENT_SECRET)');
      const health = tokens.lastHealth();
      if (!health) return 'not fetched yet';
      if (!health.ok) throw new Error(health.message ?? 'token fetch failed');
      return undefined;
    },
  };
}

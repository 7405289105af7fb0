import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { GenesysTokenCache, OpenMessagingClient } from '@tgg/genesys';
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

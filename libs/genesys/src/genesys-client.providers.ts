import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { METRICS, type BridgeMetrics } from '@tgg/telemetry';
import { GenesysTokenPoller } from './genesys-token.poller.js';
import { GENESYS_TOKENS } from './genesys-tokens.js';
import { OpenMessagingClient } from './open-messaging.client.js';
import { GenesysTokenCache } from './token-cache.js';

/**
 * The Genesys Cloud client of a service (the dispatcher and outbound): one token cache
 * (GENESYS_TOKENS), the Open Messaging client, and the poller that keeps the token warm — listed
 * together so every process that talks to Genesys polls its token exactly once.
 */
export const genesysClientProviders: Provider[] = [
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
  GenesysTokenPoller,
];

import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { GENESYS_TOKENS, genesysClientProviders, type GenesysTokenCache } from '@tgg/genesys';
import { METRICS } from '@tgg/service-runtime';
import type { BridgeMetrics } from '@tgg/telemetry';
import { GenesysAttachmentDownloader } from './genesys-attachment.downloader.js';
import { TELEGRAM_UPLOAD_LIMIT_BYTES } from './media-method.js';

/** Outbound's Genesys side: the shared client (token cache, its poller, the receipt client), plus the downloader of agents' attachments. */
export const outboundGenesysProviders: Provider[] = [
  ...genesysClientProviders,
  {
    provide: GenesysAttachmentDownloader,
    inject: [APP_CONFIG, METRICS, GENESYS_TOKENS],
    useFactory: (config: AppConfig, metrics: BridgeMetrics, tokens: GenesysTokenCache | undefined) =>
      new GenesysAttachmentDownloader({
        apiBaseUrl: config.genesys.apiBaseUrl,
        tokens,
        maxBytes: TELEGRAM_UPLOAD_LIMIT_BYTES,
        onRequest: (status, durationS) => metrics.genesysRequests.observe({ route: 'download', status: String(status) }, durationS),
      }),
  },
];

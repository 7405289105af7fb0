import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import type { GenesysTokenCache } from '@tgg/genesys';
import { GENESYS_TOKENS, METRICS, genesysProviders as sharedGenesysProviders } from '@tgg/service-runtime';
import type { BridgeMetrics } from '@tgg/telemetry';
import { GenesysAttachmentDownloader } from './genesys-attachment.downloader.js';
import { TELEGRAM_UPLOAD_LIMIT_BYTES } from './media-method.js';

/** The shared token cache and receipt client, plus the downloader of agents' attachments. */
export const genesysProviders: Provider[] = [
  ...sharedGenesysProviders,
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

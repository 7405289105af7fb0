import type { ServiceDefinition } from '@tgg/service-runtime';
import { OutboundModule } from './app.module.js';

export const outboundService: ServiceDefinition = {
  service: 'outbound',
  appModule: (config, logger, metrics) => OutboundModule.forRoot(config, logger, metrics),
  port: (config) => config.http.ports.outbound,
};

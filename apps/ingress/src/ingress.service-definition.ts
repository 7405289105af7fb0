import type { ServiceDefinition } from '@tgg/service-runtime';
import { IngressModule } from './app.module.js';

export const ingressService: ServiceDefinition = {
  service: 'ingress',
  appModule: (config, logger, metrics) => IngressModule.forRoot(config, logger, metrics),
  port: (config) => config.http.ports.ingress,
};

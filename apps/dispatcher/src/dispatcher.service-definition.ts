import type { ServiceDefinition } from '@tgg/service-runtime';
import { DispatcherModule } from './app.module.js';

export const dispatcherService: ServiceDefinition = {
  service: 'dispatcher',
  appModule: (config, logger, metrics) => DispatcherModule.forRoot(config, logger, metrics),
  port: (config) => config.http.ports.dispatcher,
};

import type { ServiceDefinition } from '@tgg/service-runtime';
import { SequencerModule } from './app.module.js';

export const sequencerService: ServiceDefinition = {
  service: 'sequencer',
  appModule: (config, logger, metrics) => SequencerModule.forRoot(config, logger, metrics),
  port: (config) => config.http.ports.sequencer,
};

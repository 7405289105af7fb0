import '@tgg/telemetry/register';
import 'reflect-metadata';
import { runService } from '@tgg/platform';
import { sequencerService } from './sequencer.service-definition.js';

await runService(sequencerService);

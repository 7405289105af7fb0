import '@tgg/telemetry/register';
import 'reflect-metadata';
import { runService } from '@tgg/service-runtime';
import { sequencerService } from './sequencer.service-definition.js';

await runService(sequencerService);

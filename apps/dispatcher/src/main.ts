import '@tgg/telemetry/register';
import 'reflect-metadata';
import { runService } from '@tgg/platform';
import { dispatcherService } from './dispatcher.service-definition.js';

await runService(dispatcherService);

import '@tgg/telemetry/register';
import 'reflect-metadata';
import { runService } from '@tgg/service-runtime';
import { dispatcherService } from './dispatcher.service-definition.js';

await runService(dispatcherService);

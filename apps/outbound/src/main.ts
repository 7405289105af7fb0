import '@tgg/telemetry/register';
import 'reflect-metadata';
import { runService } from '@tgg/service-runtime';
import { outboundService } from './outbound.service-definition.js';

await runService(outboundService);

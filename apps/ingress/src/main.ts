import '@tgg/telemetry/register';
import 'reflect-metadata';
import { runService } from '@tgg/service-runtime';
import { ingressService } from './ingress.service-definition.js';

await runService(ingressService);

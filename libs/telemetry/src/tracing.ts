import { createRequire } from 'node:module';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { fetchSpanAttributes, isHousekeepingPath, outgoingHttpSpanAttributes, redisStatement } from './span-hygiene.js';

export interface TracingSettings {
  /** OTEL_EXPORTER_OTLP_ENDPOINT; spans go to `<endpoint>/v1/traces` as OTLP/HTTP JSON. */
  endpoint: string;
  /** Replaces the OTLP exporter (tests). */
  exporter?: SpanExporter;
}

export interface RunningTracing {
  /** Flushes buffered spans and stops the SDK. */
  shutdown(): Promise<void>;
}

/**
 * Modules loaded with require(), never with import: this file is imported by register.ts in every
 * process, and tracing that is off must not load the SDK at all. require() is also synchronous, so
 * the SDK is running before register.ts returns and main.ts's next import is evaluated (an `await
 * import()` here would not hold the sibling imports back: ES modules only wait for their own
 * dependencies).
 */
const require = createRequire(import.meta.url);

/**
 * Starts the NodeSDK: OTLP/HTTP trace export; http (server and client), undici (fetch), pg and
 * ioredis through the auto-instrumentations; Fastify through @fastify/otel. BullMQ is traced by
 * our own spans around each job, continued from the carrier in the job data (ADR 0004).
 */
export function startTracing(settings: TracingSettings): RunningTracing {
  // The `as` casts below give each required module the type of the package it is.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node') as typeof import('@opentelemetry/auto-instrumentations-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { FastifyOtelInstrumentation } = require('@fastify/otel') as typeof import('@fastify/otel');

  const sdk = new NodeSDK({
    traceExporter: settings.exporter ?? new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` }),
    instrumentations: [
      // Which of these load is OTEL_NODE_ENABLED_INSTRUMENTATIONS (register.ts defaults it to ours).
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-http': {
          ignoreIncomingRequestHook: (request) => isHousekeepingPath(request.url),
          startOutgoingSpanHook: (request) => outgoingHttpSpanAttributes(request),
        },
        '@opentelemetry/instrumentation-undici': { startSpanHook: (request) => fetchSpanAttributes(request) },
        // Without a parent these would be BullMQ's polling and the sweeper's 10 ms loop: noise, not messages.
        '@opentelemetry/instrumentation-pg': { requireParentSpan: true },
        '@opentelemetry/instrumentation-ioredis': { requireParentSpan: true, dbStatementSerializer: (command, args) => redisStatement(command, args) },
      }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        // One span for the request and one for the handler; a span per lifecycle hook says nothing here.
        instrumentHooks: false,
        ignorePaths: (route) => isHousekeepingPath(route.url),
      }),
    ],
  });
  sdk.start();
  preloadForInstrumentation();
  return { shutdown: () => sdk.shutdown() };
}

/**
 * The instrumentations patch CommonJS modules when they are require()d; an ES module's `import`
 * of a CommonJS package does not go through require(), so a package that is first *imported* is
 * never patched. pg is patched anyway (its own index require()s the client and pool files the
 * instrumentation hooks). ioredis is not: requiring it once here, right after the SDK started,
 * patches Redis.prototype, and every later `import 'ioredis'` gets this same cached module.
 * The e2e tracing test fails if ioredis spans go missing.
 */
function preloadForInstrumentation(): void {
  require('ioredis');
}

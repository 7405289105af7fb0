/**
 * Side-effect import, first line of every main.ts: starts OpenTelemetry before http, pg and ioredis
 * load so their instrumentations can patch them. Off (and free) unless OTEL_EXPORTER_OTLP_ENDPOINT
 * is set. This is the one place besides @tgg/config that reads process.env, deliberately.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { redactBotToken } from './logger.js';

const endpoint = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
if (endpoint) {
  // Metrics go through Prometheus (/metrics); NodeSDK's own metric/log export only slows shutdown.
  process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
  process.env['OTEL_LOGS_EXPORTER'] ??= 'none';
  const sdk = new NodeSDK({
    traceExporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }),
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
        // Bot API URLs carry the token in their path: overwrite the URL attributes with a redacted form.
        '@opentelemetry/instrumentation-undici': {
          requestHook: (span, request) => {
            const url = redactBotToken(`${request.origin}${request.path}`);
            span.setAttributes({ 'url.full': url, 'url.path': redactBotToken(request.path), 'http.url': url });
          },
        },
        '@opentelemetry/instrumentation-http': {
          requestHook: (span, request) => {
            if ('path' in request && typeof request.path === 'string') {
              span.setAttributes({ 'url.path': redactBotToken(request.path), 'http.target': redactBotToken(request.path) });
            }
          },
        },
      }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
    ],
  });
  sdk.start();
  const shutdown = () => void sdk.shutdown();
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

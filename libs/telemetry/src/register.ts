/**
 * Side-effect import, first line of every main.ts: starts OpenTelemetry before http, pg and
 * ioredis load so their instrumentations can patch them (ES modules evaluate in import order, and
 * startTracing is synchronous). No loader hook (`node --import`) is needed: ADR 0004.
 * Off, and free, unless OTEL_EXPORTER_OTLP_ENDPOINT is set: tracing.ts loads the SDK only when
 * called. This is the one place besides @tgg/config that reads process.env, deliberately.
 */
import { startTracing } from './tracing.js';

const endpoint = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
if (endpoint) {
  // Metrics go through Prometheus (/metrics); NodeSDK's own metric/log export only slows shutdown.
  process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
  process.env['OTEL_LOGS_EXPORTER'] ??= 'none';
  // The libraries we use; every other auto-instrumentation would only hook module loading for nothing.
  process.env['OTEL_NODE_ENABLED_INSTRUMENTATIONS'] ??= 'http,undici,pg,ioredis';
  // Launchers set it (tgg-<app>); a bare `node dist/apps/<app>/src/main.js` gets the same name.
  process.env['OTEL_SERVICE_NAME'] ??= serviceNameOf(process.argv[1]);
  const tracing = startTracing({ endpoint });
  // Flushes what the batch processor holds; Nest's own shutdown hooks run alongside.
  const shutdown = () => void tracing.shutdown().catch(() => undefined);
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

function serviceNameOf(entry: string | undefined): string {
  const app = /apps[\\/]([^\\/]+)[\\/]/.exec(entry ?? '')?.[1];
  return app ? `tgg-${app}` : 'tgg';
}

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type AppConfig, type TrustProxy } from '@tgg/config';
import { BridgeMetrics, createLogger } from '@tgg/telemetry';
import { ShutdownState } from './health/shutdown-state.js';
import { WorkerHost } from './worker-host/worker-host.js';
import { HttpErrorFilter } from './http-error.filter.js';
import { PinoNestLogger } from './nest-logger.js';
import { useRawBodies, WEBHOOK_BODY_LIMIT_BYTES } from './raw-body.js';

export type ServiceName = 'ingress' | 'sequencer' | 'dispatcher' | 'outbound';

export interface RunningService {
  app: NestFastifyApplication;
  config: AppConfig;
  logger: Logger;
  metrics: BridgeMetrics;
  url: string;
}

export interface ServiceDefinition {
  service: ServiceName;
  appModule: (config: AppConfig, logger: Logger, metrics: BridgeMetrics) => DynamicModule;
  port: (config: AppConfig) => number;
}

/**
 * How long a client may take to send a request. Webhooks are ≤ 1 MiB from Telegram's and Genesys'
 * data centres: seconds at worst. Fastify's default requestTimeout of 0 switches Node's own limit
 * off, so a client dribbling a body a few bytes a second (slow loris) would hold its socket and a
 * buffer forever. Node sweeps connections every `checkIntervalMs` and answers 408 to one over its
 * limit; a request fully received is no longer timed (a slow handler or a streamed response is fine).
 */
export const HTTP_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, checkIntervalMs: 1_000 } as const;

/** Builds and listens; used by main.ts and by tests that start a service in-process. */
export async function startService(definition: ServiceDefinition, config: AppConfig, options: { port?: number; host?: string } = {}): Promise<RunningService> {
  const logger = createLogger(definition.service, config.log);
  const metrics = new BridgeMetrics(definition.service);
  const adapter = new FastifyAdapter({
    trustProxy: fastifyTrustProxy(config.http.trustProxy),
    bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
    requestTimeout: HTTP_TIMEOUTS.requestMs,
    http: { headersTimeout: HTTP_TIMEOUTS.headersMs, connectionsCheckingInterval: HTTP_TIMEOUTS.checkIntervalMs },
    // While closing, a request that still arrives on an open connection is served, not answered 503:
    // the queues close only after the server has finished its requests (shutDownService).
    return503OnClosing: false,
  });
  useRawBodies(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(definition.appModule(config, logger, metrics), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // Our raw-body parser (useRawBodies) must stay the only one; Nest would add its own JSON parser.
    bodyParser: false,
  });
  app.useGlobalFilters(new HttpErrorFilter(logger));
  // No enableShutdownHooks(): Nest would re-raise the signal after closing (exit status 143);
  // runService handles SIGTERM itself (shutDownService) and exits 0.
  await app.listen(options.port ?? definition.port(config), options.host ?? '0.0.0.0');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
  logger.info({ url, mode: config.sandboxConsole ? 'sandbox' : config.mode }, `${definition.service} listening`);
  return { app, config, logger, metrics, url };
}

/**
 * TRUST_PROXY for Fastify, which takes a list of trusted proxy addresses as it is but treats a bare
 * number as "trust nothing". A hop count is therefore a function: hop 0 is the socket's peer, hop i
 * the i-th X-Forwarded-For entry from the right, and only the first `hops` are believed (Express's
 * meaning), so whatever a client wrote further left is never taken as its address.
 */
export function fastifyTrustProxy(trust: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return [...trust];
}

/** main.ts entry: a bad environment or an unreachable dependency is one clear line and exit 1. */
export async function runService(definition: ServiceDefinition): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${definition.service}: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  let running: RunningService;
  try {
    running = await startService(definition, config);
  } catch (error) {
    console.error(`${definition.service}: cannot start: ${describeStartupError(error)}`);
    process.exit(1);
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal (Ctrl-C twice): the operator does not want to wait for the drain.
      running.logger.warn({ signal }, 'second signal while draining: exiting now');
      process.exit(1);
    }
    stopping = true;
    shutDownService(running, signal).then(
      () => process.exit(0),
      (error: unknown) => {
        running.logger.error({ signal, err: { message: error instanceof Error ? error.message : String(error) } }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * Zero-loss stop (SPEC §4): readiness fails first; every worker drains (running jobs get
 * SHUTDOWN_DRAIN_MS, the rest are handed back to their queue) while HTTP keeps serving; then Nest
 * closes in its order: the server stops accepting and finishes its in-flight requests, then
 * producers and connections close.
 */
export async function shutDownService(running: RunningService, signal: string): Promise<void> {
  const startedAtMs = Date.now();
  running.app.get(ShutdownState).begin(startedAtMs);
  running.logger.info({ signal }, 'shutting down: readiness fails, draining work');
  // All workers stop taking jobs now and share one SHUTDOWN_DRAIN_MS; the host's own shutdown hook then finds them drained.
  await running.app.get(WorkerHost).drain();
  await running.app.close();
  running.logger.info({ signal, tookMs: Date.now() - startedAtMs }, 'shut down');
}

function describeStartupError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED|connect/i.test(message)) {
    return `${message} — is Postgres/Redis running? (see README: Troubleshooting)`;
  }
  return message;
}

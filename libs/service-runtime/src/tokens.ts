/** Injection tokens shared by every service. LOGGER and METRICS are defined in @tgg/telemetry, so adapter libs can inject them too. */
export { LOGGER, METRICS } from '@tgg/telemetry';
/** A fail-fast Redis connection for HTTP-facing producers and health checks. */
export const PRODUCER_REDIS = Symbol('PRODUCER_REDIS');
/** A blocking-capable Redis connection for workers (maxRetriesPerRequest: null). */
export const WORKER_REDIS = Symbol('WORKER_REDIS');

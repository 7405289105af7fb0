/** Injection tokens shared by every service. */
export const METRICS = Symbol('METRICS');
export const LOGGER = Symbol('LOGGER');
/** A fail-fast Redis connection for HTTP-facing producers and health checks. */
export const PRODUCER_REDIS = Symbol('PRODUCER_REDIS');
/** A blocking-capable Redis connection for workers (maxRetriesPerRequest: null). */
export const WORKER_REDIS = Symbol('WORKER_REDIS');

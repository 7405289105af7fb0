export { PlatformModule, PLATFORM_CONTROLLERS } from './platform.module.js';
export { LOGGER, METRICS, PRODUCER_REDIS, WORKER_REDIS } from './tokens.js';
export { READINESS_CHECKS, type ReadinessCheck } from './health/readiness-check.js';
export { postgresCheck, redisCheck } from './health/dependency-checks.js';
export { ApiError, HttpErrorFilter } from './http-error.filter.js';
export { startService, runService, type RunningService, type ServiceDefinition, type ServiceName } from './service-bootstrap.js';
export { WEBHOOK_BODY_LIMIT_BYTES } from './raw-body.js';
export { TURN_MACHINERY, turnMachineryProviders } from './turn-machinery.providers.js';

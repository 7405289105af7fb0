export { createLogger, redactBotToken, REDACT_PATHS, type LoggerSettings } from './logger.js';
export { BridgeMetrics, type UpdateOutcome, type ReplyOutcome } from './metrics.js';
export { injectTraceCarrier, inSpanFromCarrier, tracer } from './trace-carrier.js';
export { acceptsOpenMetrics, openMetricsToPrometheusText } from './prometheus-text.js';
export { LOGGER, METRICS } from './telemetry.tokens.js';

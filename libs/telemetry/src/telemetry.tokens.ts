/**
 * Nest injection tokens of the process's pino logger and its BridgeMetrics. They live here, in the
 * platform layer beside what they name (as APP_CONFIG lives in @tgg/config), so adapter libs such as
 * @tgg/genesys can inject them without depending on the service shell (@tgg/service-runtime, which
 * provides them and re-exports them for the apps).
 */
export const METRICS = Symbol('METRICS');
export const LOGGER = Symbol('LOGGER');

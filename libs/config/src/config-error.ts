/** A bad environment: main.ts prints its one line and exits 1. Messages name variables, never values. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

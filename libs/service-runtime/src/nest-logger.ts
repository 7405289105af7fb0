import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/** Nest's own log lines (bootstrap, module init) through the same pino logger as everything else. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    // Nest announces every route and module at 'log'; that is debug noise for an operator.
    const noisy = context === 'RouterExplorer' || context === 'RoutesResolver' || context === 'InstanceLoader' || context === 'NestFactory';
    this.write(noisy ? 'debug' : 'info', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    // Startup failures are printed once, as one line, by runService; Nest's copy would repeat it.
    if (context === 'ExceptionHandler') return;
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }

  private write(level: 'debug' | 'info' | 'warn' | 'trace', message: unknown, context?: string): void {
    this.logger[level]({ context }, typeof message === 'string' ? message : JSON.stringify(message));
  }
}

import type { Printer } from './printer.js';

/**
 * Collects doctor's verdicts as it prints them. A hard failure makes the exit code 1; a warning
 * (e.g. Redis without AOF, usual on a dev machine) is printed with its fix but does not.
 */
export class DoctorReport {
  private hardFailures = 0;
  private warnings = 0;
  private passed = 0;

  constructor(private readonly printer: Printer) {}

  section(title: string): void {
    this.printer.line(title);
  }

  ok(text: string): void {
    this.passed += 1;
    this.printer.check('ok', text);
  }

  fail(text: string, fix?: string): void {
    this.hardFailures += 1;
    this.printer.check('fail', text, fix);
  }

  warn(text: string, fix?: string): void {
    this.warnings += 1;
    this.printer.check('warn', text, fix);
  }

  get hasHardFailures(): boolean {
    return this.hardFailures > 0;
  }

  summarize(): void {
    this.printer.line();
    const verdict = this.hardFailures > 0 ? `${this.hardFailures} problem(s) to fix` : 'all checks passed';
    this.printer.line(`${verdict}; ${this.passed} ok, ${this.warnings} warning(s)`);
  }
}

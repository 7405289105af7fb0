import { redactBotToken } from '@tgg/telemetry';
import type { CliIo } from './cli-io.js';

export type CheckStatus = 'ok' | 'fail' | 'warn';

const MARK: Record<CheckStatus, string> = { ok: '✓', fail: '✗', warn: '✗' };

/**
 * Every line the CLI prints goes through here, so tests capture all of it and nothing can bypass
 * the last line of defence: a bot token inside a Bot API URL (`/bot<token>/`) is masked.
 */
export class Printer {
  constructor(private readonly io: CliIo) {}

  line(text = ''): void {
    this.io.writeOut(`${redactBotToken(text)}\n`);
  }

  /** `label: value` pairs, aligned. */
  fields(entries: readonly (readonly [label: string, value: string])[], indent = '  '): void {
    const width = Math.max(0, ...entries.map(([label]) => label.length));
    for (const [label, value] of entries) this.line(`${indent}${`${label}:`.padEnd(width + 2)}${value}`);
  }

  /** A doctor-style line: ✓ or ✗ (warnings say so), with the fix on the next line. */
  check(status: CheckStatus, text: string, fix?: string): void {
    this.line(`  ${MARK[status]} ${text}${status === 'warn' ? ' (warning)' : ''}`);
    if (fix && status !== 'ok') this.line(`      fix: ${fix}`);
  }

  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
    const format = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
    this.line(format(headers));
    for (const row of rows) this.line(format(row));
  }

  error(text: string): void {
    this.io.writeErr(`error: ${redactBotToken(text)}\n`);
  }

  note(text: string): void {
    this.io.writeErr(`${redactBotToken(text)}\n`);
  }
}

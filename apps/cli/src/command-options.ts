import type { Command } from 'commander';
import { z } from 'zod';
import { CliError } from './cli-error.js';

/**
 * Commander hands options over untyped; each command states its options as a schema, so a bad
 * value (`--limit abc`) is one clear line and the handler gets typed values. Option values are
 * never secrets (those come from the environment or stdin), so echoing an issue is safe.
 */
export function parseOptions<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const option = issue.path.map(String).join('.');
    return option ? `--${kebabCase(option)}: ${issue.message}` : issue.message;
  });
  throw new CliError(problems.join('; '));
}

/** `--limit <n>`: commander gives strings. */
export const positiveInteger = z.coerce.number().int().positive();

function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** A subcommand about one channel: `--channel <name>`, `default` unless given (SPEC §7). */
export function channelCommand(parent: Command, name: string, description: string): Command {
  return parent.command(name).description(description).option('--channel <name>', 'channel name', 'default');
}

import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { BridgeError } from '@tgg/contracts';
import { CliContext, firstLine } from './cli-context.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import type { CommandAction } from './command-runner.js';
import { registerChannelCommands } from './channel.command.js';
import { registerDlqCommands } from './dlq.command.js';
import { registerDoctorCommand } from './doctor.command.js';
import { registerGenesysCommands } from './genesys.command.js';
import { registerMessagesCommands } from './messages.command.js';
import { registerWebhookCommands } from './webhook.command.js';

export interface RunCliOptions {
  /** Default: prisma/migrations under the working directory (npm runs scripts from the repository root). */
  migrationsDir?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The operator CLI (SPEC §7) as a function: parses `argv` (user arguments only), runs the command
 * against `env` and writes through `io`. Resolves with the exit code — never exits the process,
 * so tests run it in-process and main.ts stays a one-liner.
 */
export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo, options: RunCliOptions = {}): Promise<number> {
  const context = new CliContext({ env, io, migrationsDir: options.migrationsDir ?? path.resolve('prisma/migrations'), now: options.now, sleep: options.sleep });
  let exitCode = 0;
  const run = async (action: CommandAction) => {
    exitCode = (await action(context)) ?? 0;
  };
  const program = buildProgram(io, run);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportFailure(error, context);
  } finally {
    await context.close().catch((error: unknown) => context.printer.note(`warning: closing connections failed: ${firstLine(error)}`));
  }
}

function buildProgram(io: CliIo, run: (action: CommandAction) => Promise<void>): Command {
  const program = new Command('npm run cli --')
    .description('Operator CLI of the Telegram ↔ Genesys bridge. Reads the same environment variables as the services.')
    // Settings set here are inherited by every subcommand added below.
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.writeOut(text), writeErr: (text) => io.writeErr(text) })
    .showHelpAfterError('(add --help for usage)');
  registerChannelCommands(program, run);
  registerWebhookCommands(program, run);
  registerGenesysCommands(program, run);
  registerDlqCommands(program, run);
  registerMessagesCommands(program, run);
  registerDoctorCommand(program, run);
  return program;
}

/** One line per failure; a stack trace only for a bug, and even then only its first line. */
function reportFailure(error: unknown, context: CliContext): number {
  // Commander already printed its own message (or the help it was asked for).
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof CliError) {
    context.printer.error(error.message);
    return error.exitCode;
  }
  if (error instanceof BridgeError) {
    context.printer.error(error.message);
    return 1;
  }
  context.printer.error(`unexpected failure: ${firstLine(error)}`);
  return 1;
}

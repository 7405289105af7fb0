import type { CliContext } from './cli-context.js';

/** A command's work: resolves with its exit code (0 when omitted); failures throw CliError. */
export type CommandAction = (context: CliContext) => Promise<number | void>;

/** Runs an action with the invocation's context and records its exit code (see run-cli.ts). */
export type Runner = (action: CommandAction) => Promise<void>;

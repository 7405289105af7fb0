import type { Command } from 'commander';
import { z } from 'zod';
import { countOf, DeadLetters, OperationsError, type DeadLetter } from '@tgg/operations';
import { ALL_QUEUES, QueueName } from '@tgg/queues';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-error.js';
import { parseOptions, positiveInteger } from './command-options.js';
import type { Runner } from './command-runner.js';

/**
 * Dead letters are the failed set of each queue (`removeOnFail: false`, libs/queues/src/job-options.ts):
 * jobs that used up their retries or failed permanently. The work is @tgg/operations' DeadLetters,
 * shared with the ops console. Listing shows metadata only — payloads hold customer text.
 */

const REASON_WIDTH = 80;

const QueueOption = z.enum(QueueName, { error: `unknown queue; one of ${ALL_QUEUES.join(', ')}` });
const ListOptions = z.object({ queue: QueueOption.optional(), limit: positiveInteger.default(20) });
const ReplayOptions = z.object({ queue: QueueOption.optional(), limit: positiveInteger.optional(), job: z.string().min(1).optional() });
const PurgeOptions = ReplayOptions.extend({ yes: z.boolean().default(false) });

export function registerDlqCommands(program: Command, run: Runner): void {
  const dlq = program.command('dlq').description('dead letters: the failed jobs of every queue (all queues unless --queue)');
  const queueHelp = `one queue: ${ALL_QUEUES.join(', ')}`;

  dlq
    .command('list')
    .description('failed jobs: queue, id, name, attempts, failed at, reason (never the payload)')
    .option('--queue <name>', queueHelp)
    .option('--limit <n>', 'the n most recently failed jobs per queue, newest first', '20')
    .action((options: unknown) => run((context) => listDeadLetters(context, parseOptions(ListOptions, options))));

  dlq
    .command('replay')
    .description('move failed jobs back to waiting, oldest first, with a fresh delivery horizon (a replayed message arrives after later ones of its chat)')
    .option('--queue <name>', queueHelp)
    .option('--limit <n>', 'only the n most recently failed jobs per queue (default: all); they are replayed oldest first')
    .option('--job <id>', 'only this job (needs --queue)')
    .action((options: unknown) => run((context) => replayDeadLetters(context, parseOptions(ReplayOptions, options))));

  dlq
    .command('purge')
    .description('delete failed jobs for good (requires --yes)')
    .option('--queue <name>', queueHelp)
    .option('--limit <n>', 'only the n most recently failed jobs per queue (default: all)')
    .option('--job <id>', 'only this job (needs --queue)')
    .option('--yes', 'confirm: the jobs and their payloads are deleted')
    .action((options: unknown) => run((context) => purgeDeadLetters(context, parseOptions(PurgeOptions, options))));
}

async function listDeadLetters(context: CliContext, options: z.infer<typeof ListOptions>): Promise<void> {
  const { total, letters } = await deadLetters(context).list(options);
  const prefix = context.config().app.redis.queuePrefix;
  if (total === 0) {
    context.printer.line(`no failed jobs (queue prefix "${prefix}", ${describeQueues(options)})`);
    return;
  }
  context.printer.table(['QUEUE', 'JOB ID', 'NAME', 'ATTEMPTS', 'FAILED AT', 'REASON'], letters.map(deadLetterRow));
  context.printer.line(`${total} failed job(s) (queue prefix "${prefix}"); showing ${letters.length}${letters.length < total ? ' — raise --limit to see more' : ''}`);
}

async function replayDeadLetters(context: CliContext, options: z.infer<typeof ReplayOptions>): Promise<void> {
  const outcome = await translated(options, () => deadLetters(context).replay(options));
  for (const { queue, count } of outcome) context.printer.line(`✓ ${queue}: ${count} failed job(s) moved back to waiting`);
  context.printer.line(`${countOf(outcome)} job(s) replayed`);
}

async function purgeDeadLetters(context: CliContext, options: z.infer<typeof PurgeOptions>): Promise<void> {
  if (!options.yes) throw new CliError('refusing to purge without --yes: failed jobs and their payloads are deleted for good (`dlq list` shows them)');
  const outcome = await translated(options, () => deadLetters(context).purge(options));
  for (const { queue, count } of outcome) context.printer.line(`✓ ${queue}: ${count} failed job(s) deleted`);
  context.printer.line(`${countOf(outcome)} job(s) purged`);
}

function deadLetters(context: CliContext): DeadLetters {
  return new DeadLetters((name) => context.queue(name), context.now);
}

/** The library's refusals (unknown job, job not failed) become the CLI's one-line errors. */
async function translated<T>(options: { queue?: QueueName; job?: string }, action: () => Promise<T>): Promise<T> {
  if (options.job !== undefined && options.queue === undefined) throw new CliError('--job needs --queue: job ids are per queue');
  try {
    return await action();
  } catch (error) {
    if (error instanceof OperationsError) throw new CliError(error.message);
    throw error;
  }
}

function describeQueues(options: { queue?: QueueName }): string {
  return options.queue ? `queue ${options.queue}` : `${ALL_QUEUES.length} queues`;
}

function deadLetterRow(letter: DeadLetter): string[] {
  return [
    letter.queue,
    letter.id,
    letter.name,
    `${letter.attemptsMade}/${letter.maxAttempts}`,
    letter.failedAtMs ? new Date(letter.failedAtMs).toISOString() : '-',
    truncate(letter.reason),
  ];
}

function truncate(text: string): string {
  return text.length > REASON_WIDTH ? `${text.slice(0, REASON_WIDTH - 1)}…` : text;
}

import type { Command } from 'commander';
import type { Job } from 'bullmq';
import { z } from 'zod';
import { ALL_QUEUES, QueueName, REPLAYED_AT_FIELD } from '@tgg/queues';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-error.js';
import { parseOptions, positiveInteger } from './command-options.js';
import type { Runner } from './command-runner.js';

/**
 * Dead letters are the failed set of each queue (`removeOnFail: false`, libs/queues/src/job-options.ts):
 * jobs that used up their retries or failed permanently. Listing shows metadata only — payloads
 * hold customer text.
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
  const rows: string[][] = [];
  let total = 0;
  for (const name of queuesOf(options)) {
    const queue = await context.queue(name);
    const count = await queue.getFailedCount();
    total += count;
    if (count === 0) continue;
    for (const job of await queue.getFailed(0, options.limit - 1)) rows.push(deadLetterRow(name, job));
  }
  const prefix = context.config().app.redis.queuePrefix;
  if (total === 0) {
    context.printer.line(`no failed jobs (queue prefix "${prefix}", ${describeQueues(options)})`);
    return;
  }
  context.printer.table(['QUEUE', 'JOB ID', 'NAME', 'ATTEMPTS', 'FAILED AT', 'REASON'], rows);
  context.printer.line(`${total} failed job(s) (queue prefix "${prefix}"); showing ${rows.length}${rows.length < total ? ' — raise --limit to see more' : ''}`);
}

async function replayDeadLetters(context: CliContext, options: z.infer<typeof ReplayOptions>): Promise<void> {
  let replayed = 0;
  for (const name of queuesOf(options)) {
    // Oldest first: replayed messages re-enter their chat's turn in the order they were first queued.
    const jobs = (await selectFailedJobs(context, name, options)).sort((a, b) => a.timestamp - b.timestamp);
    for (const job of jobs) {
      // The delivery horizon starts again from the replay: a message older than DELIVERY_HORIZON_S
      // would otherwise be dead-lettered again by its first transient failure.
      await job.updateData({ ...(job.data as object), [REPLAYED_AT_FIELD]: Date.now() }); // job data is always an object: our producers validate it
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    }
    if (jobs.length > 0) context.printer.line(`✓ ${name}: ${jobs.length} failed job(s) moved back to waiting`);
    replayed += jobs.length;
  }
  context.printer.line(`${replayed} job(s) replayed`);
}

async function purgeDeadLetters(context: CliContext, options: z.infer<typeof PurgeOptions>): Promise<void> {
  if (!options.yes) throw new CliError('refusing to purge without --yes: failed jobs and their payloads are deleted for good (`dlq list` shows them)');
  let purged = 0;
  for (const name of queuesOf(options)) {
    const jobs = await selectFailedJobs(context, name, options);
    for (const job of jobs) await job.remove();
    if (jobs.length > 0) context.printer.line(`✓ ${name}: ${jobs.length} failed job(s) deleted`);
    purged += jobs.length;
  }
  context.printer.line(`${purged} job(s) purged`);
}

/** The jobs an action applies to: one by id (which must be failed), or the newest `limit` (all by default). */
async function selectFailedJobs(context: CliContext, name: QueueName, options: z.infer<typeof ReplayOptions>): Promise<Job[]> {
  const queue = await context.queue(name);
  if (options.job !== undefined) {
    const job = await queue.getJob(options.job);
    if (!job) throw new CliError(`no job ${options.job} in queue ${name}`);
    const state = await job.getState();
    if (state !== 'failed') throw new CliError(`job ${options.job} in queue ${name} is ${state}, not failed`);
    return [job];
  }
  return queue.getFailed(0, options.limit === undefined ? -1 : options.limit - 1);
}

function queuesOf(options: { queue?: QueueName; job?: string }): readonly QueueName[] {
  if (options.job !== undefined && options.queue === undefined) throw new CliError('--job needs --queue: job ids are per queue');
  return options.queue ? [options.queue] : ALL_QUEUES;
}

function describeQueues(options: { queue?: QueueName }): string {
  return options.queue ? `queue ${options.queue}` : `${ALL_QUEUES.length} queues`;
}

function deadLetterRow(queue: QueueName, job: Job): string[] {
  return [
    queue,
    job.id ?? '-',
    job.name,
    `${job.attemptsMade}/${job.opts.attempts ?? 1}`,
    job.finishedOn ? new Date(job.finishedOn).toISOString() : '-',
    truncate((job.failedReason || '-').replace(/\s+/g, ' ')),
  ];
}

function truncate(text: string): string {
  return text.length > REASON_WIDTH ? `${text.slice(0, REASON_WIDTH - 1)}…` : text;
}


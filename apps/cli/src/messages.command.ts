import type { Command } from 'commander';
import { z } from 'zod';
import { MessageRepository, purgeExpiredBodies, retentionCutoffMs } from '@tgg/data';
import type { CliContext } from './cli-context.js';
import { parseOptions } from './command-options.js';
import type { Runner } from './command-runner.js';

const PurgeOptions = z.object({ dryRun: z.boolean().default(false) });

/**
 * `messages purge`: message retention by hand — what the dispatcher's hourly job does (SPEC §6):
 * bodies of messages older than MESSAGE_RETENTION_DAYS are cleared in bounded batches; the rows
 * and their keys stay, so replays are still recognised.
 */
export function registerMessagesCommands(program: Command, run: Runner): void {
  const messages = program.command('messages').description('the message log in Postgres');
  messages
    .command('purge')
    .description('clear the bodies of messages older than MESSAGE_RETENTION_DAYS now (the dispatcher also does it hourly)')
    .option('--dry-run', 'only count what would be purged; change nothing')
    .action((options: unknown) => run((context) => purgeMessageBodies(context, parseOptions(PurgeOptions, options))));
}

async function purgeMessageBodies(context: CliContext, options: z.infer<typeof PurgeOptions>): Promise<void> {
  const retentionDays = context.config().app.retention.messageRetentionDays;
  const cutoffMs = retentionCutoffMs(context.now(), retentionDays);
  const scope = `created before ${new Date(cutoffMs).toISOString()} (MESSAGE_RETENTION_DAYS=${retentionDays})`;
  const repository = new MessageRepository(await context.prisma());
  if (options.dryRun) {
    const count = await repository.countBodiesOlderThan(cutoffMs);
    context.printer.line(`dry run: ${count} message bod${count === 1 ? 'y' : 'ies'} ${scope} would be purged; nothing changed`);
    return;
  }
  const outcome = await purgeExpiredBodies(repository, { cutoffMs, now: context.now });
  context.printer.line(`✓ purged ${outcome.purged} message bod${outcome.purged === 1 ? 'y' : 'ies'} ${scope} in ${outcome.batches} batch(es); the rows and their keys are kept`);
}

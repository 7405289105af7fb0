import type { Command } from 'commander';
import type { CliContext } from './cli-context.js';
import type { Runner } from './command-runner.js';
import { channelsToCheck, checkChannel, checkGenesysToken } from './doctor-channels.js';
import { checkConfiguration, checkMigrations, checkPostgres, checkRedis } from './doctor-infrastructure.js';
import { DoctorReport } from './doctor-report.js';

export function registerDoctorCommand(program: Command, run: Runner): void {
  program
    .command('doctor')
    .description('check configuration, Postgres, migrations, Redis, Genesys and every channel; print the fix for each ✗ (exit 1 on a hard failure)')
    .action(() => run((context) => runDoctor(context)));
}

/** Runs every check it can (one broken dependency does not hide the others) and reports them all. */
export async function runDoctor(context: CliContext): Promise<number> {
  const report = new DoctorReport(context.printer);
  report.section('Configuration');
  const config = checkConfiguration(context, report);
  if (!config) {
    report.summarize();
    return 1;
  }
  report.section('Postgres');
  const prisma = await checkPostgres(context, config, report);
  if (prisma) await checkMigrations(context, prisma, report);
  report.section('Redis');
  await checkRedis(context, config, report);
  report.section('Genesys Cloud');
  const genesysUsable = await checkGenesysToken(context, config, report);
  for (const channel of await channelsToCheck(context, config, prisma, report)) {
    await checkChannel(context, config, channel, genesysUsable, report);
  }
  report.summarize();
  return report.hasHardFailures ? 1 : 0;
}

import type { PrismaClient } from '@tgg/data';
import { checkChannel as checkChannelHealth, checkGenesysToken as checkGenesysTokenHealth, type ChannelCheckDeps } from '@tgg/operations';
import type { CliContext } from './cli-context.js';
import type { CliConfig } from './cli-config.js';
import { findChannel, type OperatedChannel } from './channel-source.js';
import type { DoctorReport } from './doctor-report.js';
import { telegramWebhookUrl } from './public-urls.js';

export async function checkGenesysToken(context: CliContext, config: CliConfig, report: DoctorReport): Promise<boolean> {
  const { clientId, clientSecret, loginBaseUrl } = config.app.genesys;
  return checkGenesysTokenHealth(clientId && clientSecret ? context.genesys().tokens : undefined, loginBaseUrl, report);
}

/** Env channel `default` (when the env defines it) and every channel in Postgres, in name order. */
export async function channelsToCheck(context: CliContext, config: CliConfig, prisma: PrismaClient | undefined, report: DoctorReport): Promise<OperatedChannel[]> {
  const channels: OperatedChannel[] = config.envChannel ? [{ ...config.envChannel, source: 'environment' }] : [];
  if (!prisma) {
    report.fail('channels in Postgres not checked: Postgres is unreachable');
    return channels;
  }
  const stored = await prisma.channel.findMany({ orderBy: { name: 'asc' }, select: { name: true } });
  for (const { name } of stored) {
    if (config.envChannel && name === 'default') continue; // the env version wins at every service start
    if (!config.encryptionKeySet) {
      report.fail(`channel "${name}" not checked: ENCRYPTION_KEY is not set`);
      continue;
    }
    try {
      const channel = await findChannel(context, name);
      if (channel) channels.push(channel);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      // SecretBox errors name key ids and the problem, never a value.
      report.fail(`channel "${name}": secrets cannot be decrypted (${error.message})`, 'set ENCRYPTION_KEY to the key the services use');
    }
  }
  if (channels.length === 0 && stored.length === 0) {
    report.fail('no channels', 'npm run cli -- channel add <name> --bot-token-env VAR, or set the credential variables for channel "default"');
  }
  return channels;
}

/** The shared per-channel checks (@tgg/operations) with the CLI's clients. */
export async function checkChannel(context: CliContext, config: CliConfig, channel: OperatedChannel, genesysUsable: boolean, report: DoctorReport): Promise<void> {
  const deps: ChannelCheckDeps = {
    telegram: (botToken) => context.telegram(botToken),
    openMessaging: () => context.genesys().openMessaging,
    now: context.now,
    expectedWebhookUrl: (channelName) => expectedUrl(config, channelName),
  };
  await checkChannelHealth(deps, channel, genesysUsable, report);
}

function expectedUrl(config: CliConfig, channelName: string): string | undefined {
  try {
    return telegramWebhookUrl(config.app.http.publicBaseUrl, channelName);
  } catch {
    return undefined; // the configuration section already reported the bad PUBLIC_BASE_URL
  }
}

import type { CliContext } from './cli-context.js';

interface ChannelRow {
  name: string;
  source: 'env' | 'db';
  botToken: string;
  webhookSecret: string;
  integrationId: string;
  genesysSecret: string;
  updated: string;
}

/**
 * `channel list` reads the ciphertext columns without decrypting them: it says whether each secret
 * is set (and whether ENCRYPTION_KEY can read it), so it works — and leaks nothing — without the key.
 */
export async function listChannels(context: CliContext): Promise<void> {
  const config = context.config();
  const prisma = await context.prisma();
  const secrets = config.encryptionKeySet ? context.secretBox() : undefined;
  const stateOf = (ciphertext: string | null): string => {
    if (!ciphertext) return 'not set';
    if (secrets && !secrets.isEncryptedWithCurrentKey(ciphertext)) return 'set (other key)';
    return 'set';
  };
  const stored = await prisma.channel.findMany({
    orderBy: { name: 'asc' },
    select: { name: true, botTokenEnc: true, telegramSecretEnc: true, genesysIntegrationId: true, genesysWebhookSecretEnc: true, updatedAt: true },
  });
  const env = config.envChannel;
  const rows: ChannelRow[] = stored
    // The services overwrite a stored `default` from the environment at start, so the env is what counts.
    .filter((row) => !(env && row.name === 'default'))
    .map((row) => ({
      name: row.name,
      source: 'db',
      botToken: stateOf(row.botTokenEnc),
      webhookSecret: stateOf(row.telegramSecretEnc),
      integrationId: row.genesysIntegrationId ?? 'not set',
      genesysSecret: stateOf(row.genesysWebhookSecretEnc),
      updated: row.updatedAt.toISOString(),
    }));
  if (env) {
    const isSet = (value: string | undefined) => (value === undefined ? 'not set' : 'set');
    rows.unshift({
      name: 'default',
      source: 'env',
      botToken: isSet(env.botToken),
      webhookSecret: isSet(env.webhookSecret),
      integrationId: env.genesysIntegrationId ?? 'not set',
      genesysSecret: isSet(env.genesysWebhookSecret),
      updated: '-',
    });
  }
  if (rows.length === 0) {
    context.printer.line('no channels: `npm run cli -- channel add <name> --bot-token-env VAR`, or set the credential variables for channel "default"');
    return;
  }
  context.printer.table(
    ['CHANNEL', 'SOURCE', 'BOT TOKEN', 'WEBHOOK SECRET', 'GENESYS INTEGRATION', 'GENESYS SECRET', 'UPDATED'],
    rows.map((row) => [row.name, row.source, row.botToken, row.webhookSecret, row.integrationId, row.genesysSecret, row.updated]),
  );
}

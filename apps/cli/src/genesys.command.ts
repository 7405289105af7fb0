import type { Command } from 'commander';
import { z } from 'zod';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-error.js';
import { channelCommand, parseOptions, positiveInteger } from './command-options.js';
import type { Runner } from './command-runner.js';
import { requireChannel, requireField, type OperatedChannel } from './channel-source.js';
import type { OpenIntegration } from '@tgg/operations';
import { createOpenIntegration, fetchOpenIntegration, waitUntilCreated } from './genesys-integration.js';
import { checkOutboundUrl, genesysOutboundUrl } from './public-urls.js';
import { fingerprint, generateGenesysWebhookSecret } from './secrets.js';

const CreateOptions = z.object({
  channel: z.string(),
  name: z.string().min(1).max(200).optional(),
  outboundUrl: z.string().optional(),
  replace: z.boolean().default(false),
  waitS: positiveInteger.max(600).default(60),
});
const ShowOptions = z.object({ channel: z.string() });

const OUTBOUND_URL_HELP = `
The outbound webhook URL defaults to \${PUBLIC_BASE_URL}/genesys/webhook/<channel>: in production
the public reverse proxy routes /genesys/webhook to the outbound service on the same host as
ingress (deploy/k8s/base/public-ingress.yaml). For a localhost PUBLIC_BASE_URL there is no proxy,
so it is http://<host>:\${OUTBOUND_PORT}/genesys/webhook/<channel>. Override with --outbound-url.

The signature secret is generated (256 random bits) and stored encrypted with the channel. For the
env-defined channel "default" it is GENESYS_WEBHOOK_SECRET instead, and you set
GENESYS_INTEGRATION_ID to the printed id afterwards.`;

export function registerGenesysCommands(program: Command, run: Runner): void {
  const genesys = program.command('genesys').description('Genesys Cloud Open Messaging');
  const integration = genesys.command('integration').description("the channel's Open Messaging integration");

  channelCommand(integration, 'create', 'create the Open Messaging integration for a channel and store its id and signature secret')
    .option('--name <name>', 'integration name shown in Genesys (default "Telegram <channel>")')
    .option('--outbound-url <url>', 'where Genesys posts agent replies (see below)')
    .option('--replace', 'create a new integration although the channel has one (the old one stays in Genesys)')
    .option('--wait-s <seconds>', 'how long to wait for createStatus Completed', '60')
    .addHelpText('after', OUTBOUND_URL_HELP)
    .action((options: unknown) => run((context) => createIntegration(context, parseOptions(CreateOptions, options))));

  channelCommand(integration, 'show', "print the channel's integration: id, name, webhook URL, status")
    .action((options: unknown) => run((context) => showIntegration(context, parseOptions(ShowOptions, options))));
}

async function createIntegration(context: CliContext, options: z.infer<typeof CreateOptions>): Promise<void> {
  const channel = await requireChannel(context, options.channel);
  if (channel.genesysIntegrationId && !options.replace) {
    throw new CliError(
      `channel "${channel.name}" already has integration ${channel.genesysIntegrationId}: see it with \`genesys integration show --channel ${channel.name}\`, or pass --replace`,
    );
  }
  const config = context.config().app;
  const webhookUrl = options.outboundUrl
    ? checkOutboundUrl(options.outboundUrl)
    : genesysOutboundUrl(config.http.publicBaseUrl, config.http.ports.outbound, channel.name);
  const secret = signatureSecretFor(channel);
  const api = context.genesys();
  const created = await createOpenIntegration(api, {
    name: options.name ?? `Telegram ${channel.name}`,
    outboundNotificationWebhookUrl: webhookUrl,
    outboundNotificationWebhookSignatureSecretToken: secret,
  });
  // Stored before waiting: the integration exists in Genesys from here on, and without its secret
  // the bridge could never verify a reply it sends.
  if (channel.source === 'database') await storeIntegration(context, channel, created.id, secret);
  const integration = await waitUntilCreated(context, api, created, options.waitS * 1000);

  const printer = context.printer;
  printer.line(`✓ Genesys integration created for channel "${channel.name}"`);
  printer.fields([
    ...integrationFields(integration, webhookUrl),
    ['signature secret', channel.source === 'database' ? `generated, stored encrypted (${fingerprint(secret)})` : `GENESYS_WEBHOOK_SECRET (${fingerprint(secret)})`],
  ]);
  if (channel.source === 'environment') {
    printer.line(`next: set GENESYS_INTEGRATION_ID=${integration.id} in the services' environment and restart them`);
  } else {
    printer.line('note: running services pick up the new integration within 30 s (they reload channels by themselves)');
  }
  printer.line('then: in Genesys, Admin → Message → Message Routing: route this integration to an Inbound Message flow');
}

async function showIntegration(context: CliContext, options: z.infer<typeof ShowOptions>): Promise<void> {
  const channel = await requireChannel(context, options.channel);
  const integrationId = requireField(channel, 'genesysIntegrationId', `npm run cli -- genesys integration create --channel ${channel.name}`);
  const integration = await fetchOpenIntegration(context.genesys(), integrationId);
  context.printer.line(`Genesys integration of channel "${channel.name}" (${channel.source})`);
  context.printer.fields([
    ...integrationFields(integration, expectedOutboundUrl(context, channel.name)),
    ['signature secret', channel.genesysWebhookSecret ? 'set (Genesys never returns it)' : 'not set'],
  ]);
}

function signatureSecretFor(channel: OperatedChannel): string {
  if (channel.source === 'database') return generateGenesysWebhookSecret();
  if (!channel.genesysWebhookSecret) {
    throw new CliError(
      'channel "default" is defined by environment variables, so its signature secret is GENESYS_WEBHOOK_SECRET: set it to a random value of more than 15 characters (e.g. `openssl rand -base64 32`) first',
    );
  }
  return channel.genesysWebhookSecret;
}

async function storeIntegration(context: CliContext, channel: OperatedChannel, integrationId: string, secret: string): Promise<void> {
  const repository = await context.channelRepository();
  const record = await repository.findByName(channel.name);
  if (!record) throw new CliError(`channel "${channel.name}" disappeared while the integration was created (id ${integrationId})`);
  await repository.upsert({ ...record, genesysIntegrationId: integrationId, genesysWebhookSecret: secret });
}

function integrationFields(integration: OpenIntegration, expectedWebhookUrl: string | undefined): [string, string][] {
  const webhookUrl = integration.outboundNotificationWebhookUrl;
  const mismatch = webhookUrl && expectedWebhookUrl && webhookUrl !== expectedWebhookUrl ? ` (derived default is ${expectedWebhookUrl})` : '';
  return [
    ['id', integration.id],
    ['name', integration.name ?? '-'],
    ['webhook url', `${webhookUrl ?? '-'}${mismatch}`],
    ['status', integration.status ?? '-'],
    ['create status', integration.createStatus ?? '-'],
    ['recipient', integration.recipient?.id ?? '-'],
  ];
}

/** `show` must work with a PUBLIC_BASE_URL the derivation refuses: the stored URL is what matters then. */
function expectedOutboundUrl(context: CliContext, channelName: string): string | undefined {
  const config = context.config().app;
  try {
    return genesysOutboundUrl(config.http.publicBaseUrl, config.http.ports.outbound, channelName);
  } catch {
    return undefined; // only a hint next to the stored URL; doctor reports a bad PUBLIC_BASE_URL
  }
}

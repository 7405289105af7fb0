import { BridgeError } from '@tgg/contracts';
import { genesysFailureText, integrationShapeText, OpenIntegration } from '@tgg/operations';
import type { CliContext, GenesysApi } from './cli-context.js';
import { CliError } from './cli-error.js';

const POLL_INTERVAL_MS = 1000;

export async function createOpenIntegration(
  api: GenesysApi,
  request: { name: string; outboundNotificationWebhookUrl: string; outboundNotificationWebhookSignatureSecretToken: string },
): Promise<OpenIntegration> {
  const body = await translateGenesysFailure('creating the Open Messaging integration', () => api.openMessaging.createIntegration(request));
  return parseIntegration(body, 'create');
}

export async function fetchOpenIntegration(api: GenesysApi, integrationId: string): Promise<OpenIntegration> {
  const body = await translateGenesysFailure(`reading integration ${integrationId}`, () => api.openMessaging.getIntegration(integrationId));
  return parseIntegration(body, 'get');
}

/** Creation is asynchronous: the id is usable only once createStatus is Completed (§4). Bounded by `timeoutMs`. */
export async function waitUntilCreated(context: CliContext, api: GenesysApi, created: OpenIntegration, timeoutMs: number): Promise<OpenIntegration> {
  const deadlineMs = context.now() + timeoutMs;
  let integration = created;
  for (;;) {
    if (integration.createStatus === undefined || integration.createStatus === 'Completed') return integration;
    if (integration.createStatus === 'Error') {
      const reason = integration.createError?.message ?? integration.createError?.code ?? 'no reason given';
      throw new CliError(`Genesys could not finish creating integration ${integration.id}: ${reason} — delete it in Admin → Message → Platforms and try again`);
    }
    if (context.now() >= deadlineMs) {
      throw new CliError(
        `integration ${integration.id} is still "${integration.createStatus}" after ${Math.round(timeoutMs / 1000)} s; it is stored — check later with \`npm run cli -- genesys integration show\``,
      );
    }
    await context.sleep(POLL_INTERVAL_MS);
    integration = await fetchOpenIntegration(api, integration.id);
  }
}

function parseIntegration(body: unknown, operation: string): OpenIntegration {
  const parsed = OpenIntegration.safeParse(body);
  if (!parsed.success) throw new CliError(integrationShapeText(operation));
  return parsed.data;
}

async function translateGenesysFailure<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    throw new CliError(genesysFailureText(what, error));
  }
}

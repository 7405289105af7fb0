import { CliHarness } from '@tgg/testing';
import { runCli, type RunCliOptions } from './run-cli.js';

describe('npm run cli -- genesys integration', () => {
  let harness: CliHarness<RunCliOptions>;
  beforeAll(async () => {
    harness = await CliHarness.start(runCli);
    const bot = harness.newBot('support_bot');
    const added = await harness.run(['channel', 'add', 'support', '--bot-token-env', 'T'], { env: { T: bot.token } });
    expect(added.exitCode).toBe(0);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('creates the integration with the derived outbound URL and a generated secret, and stores both encrypted', async () => {
    const created = await harness.run(['genesys', 'integration', 'create', '--channel', 'support']);
    expect(created.exitCode).toBe(0);
    const stored = await harness.storedChannel('support');
    const integrationId = stored?.genesysIntegrationId ?? '<none>';
    const integration = harness.genesys.integration(integrationId);
    expect(integration).toBeDefined();
    expect(integration?.name).toBe('Telegram support');
    expect(integration?.webhookUrl).toBe('https://bridge.example.com/genesys/webhook/support');
    expect(stored?.genesysWebhookSecret?.length).toBeGreaterThan(15);
    expect(integration?.webhookSecret).toBe(stored?.genesysWebhookSecret);

    const row = await harness.rawChannelRow('support');
    expect(row?.['genesys_integration_id']).toBe(integrationId);
    expect(row?.['genesys_webhook_secret_enc']).toMatch(/^v1:/);
    expect(String(row?.['genesys_webhook_secret_enc'])).not.toContain(stored?.genesysWebhookSecret ?? '<none>');

    expect(created.stdout).toContain('✓ Genesys integration created for channel "support"');
    expect(created.stdout).toMatch(new RegExp(`id:\\s+${integrationId}`));
    expect(created.stdout).toMatch(/create status:\s+Completed/);
    expect(created.stdout).toMatch(/signature secret:\s+generated, stored encrypted \(sha256:[0-9a-f]{8}\)/);
  });

  it('shows the integration: id, name, webhook URL and status', async () => {
    const stored = await harness.storedChannel('support');
    const shown = await harness.run(['genesys', 'integration', 'show', '--channel', 'support']);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`id:\\s+${stored?.genesysIntegrationId}`));
    expect(shown.stdout).toMatch(/name:\s+Telegram support/);
    expect(shown.stdout).toMatch(/webhook url:\s+https:\/\/bridge\.example\.com\/genesys\/webhook\/support\n/);
    expect(shown.stdout).toMatch(/status:\s+Active/);
    expect(shown.stdout).toMatch(/signature secret:\s+set/);
  });

  it('refuses to create a second integration for a channel unless --replace', async () => {
    const before = await harness.storedChannel('support');
    const refused = await harness.run(['genesys', 'integration', 'create', '--channel', 'support']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`already has integration ${before?.genesysIntegrationId}`);

    const replaced = await harness.run(['genesys', 'integration', 'create', '--channel', 'support', '--replace', '--outbound-url', 'https://replies.example.com/genesys/webhook/support', '--name', 'Support bot']);
    expect(replaced.exitCode).toBe(0);
    const after = await harness.storedChannel('support');
    expect(after?.genesysIntegrationId).not.toBe(before?.genesysIntegrationId);
    expect(after?.genesysWebhookSecret).not.toBe(before?.genesysWebhookSecret);
    expect(harness.genesys.integration(after?.genesysIntegrationId ?? '<none>')).toMatchObject({ name: 'Support bot', webhookUrl: 'https://replies.example.com/genesys/webhook/support' });
  });

  it("uses GENESYS_WEBHOOK_SECRET for the env channel and says to set GENESYS_INTEGRATION_ID", async () => {
    const bot = harness.newBot('default_bot');
    const envSecret = 'env-genesys-signature-secret-9f8e7d';
    const env = { TELEGRAM_BOT_TOKEN: bot.token, TELEGRAM_WEBHOOK_SECRET: 'env-webhook-secret-77aa', GENESYS_WEBHOOK_SECRET: envSecret };
    const created = await harness.run(['genesys', 'integration', 'create'], { env });
    expect(created.exitCode).toBe(0);
    const integrationId = /set GENESYS_INTEGRATION_ID=([0-9a-f-]{36})/.exec(created.stdout)?.[1] ?? '<none>';
    expect(harness.genesys.integration(integrationId)?.webhookSecret).toBe(envSecret);
    expect(created.stdout).toMatch(/signature secret:\s+GENESYS_WEBHOOK_SECRET \(sha256:[0-9a-f]{8}\)/);

    const { GENESYS_WEBHOOK_SECRET: _secret, ...withoutSecret } = env;
    const refused = await harness.run(['genesys', 'integration', 'create'], { env: withoutSecret });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('set it to a random value of more than 15 characters');
  });

  it('polls until createStatus is Completed', async () => {
    const pendingId = '7b0e9c1a-0000-4000-8000-00000000c0de';
    harness.genesys.addIntegration(pendingId, { name: 'Telegram polled' });
    // The POST answers "Initiated" (as real Genesys may), the next GETs see the stored, Completed integration.
    harness.genesys.failNext('integrations', 2, { status: 200, body: { id: pendingId, name: 'Telegram polled', createStatus: 'Initiated' } });
    const sleeps: number[] = [];
    const created = await harness.run(['genesys', 'integration', 'create', '--channel', 'support', '--replace'], {
      options: { sleep: async (ms) => void sleeps.push(ms) },
    });
    expect(created.exitCode).toBe(0);
    expect(sleeps).toEqual([1000, 1000]);
    expect(created.stdout).toMatch(/create status:\s+Completed/);
    expect((await harness.storedChannel('support'))?.genesysIntegrationId).toBe(pendingId);
  });

  it('fails with Genesys\' reason when creation ends in Error, and gives up after --wait-s', async () => {
    const failedId = '7b0e9c1a-0000-4000-8000-00000000e770';
    harness.genesys.failNext('integrations', 1, { status: 200, body: { id: failedId, createStatus: 'Initiated' } });
    harness.genesys.failNext('integrations', 1, { status: 200, body: { id: failedId, createStatus: 'Error', createError: { message: 'webhook URL not reachable' } } });
    const failed = await harness.run(['genesys', 'integration', 'create', '--channel', 'support', '--replace'], { options: { sleep: async () => undefined } });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain(`could not finish creating integration ${failedId}: webhook URL not reachable`);

    let nowMs = 1_000_000;
    harness.genesys.failNext('integrations', 10, { status: 200, body: { id: failedId, createStatus: 'Initiated' } });
    const slow = await harness.run(['genesys', 'integration', 'create', '--channel', 'support', '--replace', '--wait-s', '3'], {
      options: { now: () => nowMs, sleep: async (ms) => void (nowMs += ms) },
    });
    expect(slow.exitCode).toBe(1);
    expect(slow.stderr).toContain(`integration ${failedId} is still "Initiated" after 3 s`);
  });

  it('reports rejected OAuth credentials in one line with the fix, creating nothing', async () => {
    const postsBefore = harness.genesys.requests.filter((request) => request.route === 'integrations' && request.method === 'POST').length;
    const refused = await harness.run(['genesys', 'integration', 'create', '--channel', 'support', '--replace'], { env: { GENESYS_CLIENT_SECRET: 'wrong-client-secret-value' } });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Genesys token request answered 401');
    expect(refused.stderr).toContain('GENESYS_CLIENT_ID/GENESYS_CLIENT_SECRET');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(harness.genesys.requests.filter((request) => request.route === 'integrations' && request.method === 'POST')).toHaveLength(postsBefore);
  });

  it('needs a channel with an integration to show', async () => {
    const bot = harness.newBot('bare_bot');
    expect((await harness.run(['channel', 'add', 'bare', '--bot-token-env', 'T'], { env: { T: bot.token } })).exitCode).toBe(0);
    const shown = await harness.run(['genesys', 'integration', 'show', '--channel', 'bare']);
    expect(shown.exitCode).toBe(1);
    expect(shown.stderr).toContain('genesys integration create --channel bare');
  });
});

import { ALLOWED_UPDATES } from '@tgg/contracts';
import { CliHarness } from '@tgg/testing';
import { runCli, type RunCliOptions } from './run-cli.js';

describe('npm run cli -- webhook', () => {
  let harness: CliHarness<RunCliOptions>;
  let bot: { token: string; id: number };
  const envWebhookSecret = 'env_webhook-secret_4f1c9a77d2';
  /** Channel "default" from the environment, as the services run it. */
  let envChannel: Record<string, string>;

  beforeAll(async () => {
    harness = await CliHarness.start(runCli);
    bot = harness.newBot('default_bot');
    envChannel = {
      TELEGRAM_BOT_TOKEN: bot.token,
      TELEGRAM_WEBHOOK_SECRET: envWebhookSecret,
      GENESYS_INTEGRATION_ID: '0f3b6f6e-5a7d-4c1e-9a53-1d2c3b4a5e6f',
      GENESYS_WEBHOOK_SECRET: 'env-genesys-signature-secret-123',
    };
  });
  afterAll(async () => {
    await harness.close();
  });

  it('sets the webhook of the env channel with its secret and allowed_updates, then verifies it', async () => {
    const set = await harness.run(['webhook', 'set'], { env: envChannel });
    expect(set.exitCode).toBe(0);
    const call = harness.telegram.callsTo('setWebhook').at(-1);
    expect(call?.token).toBe(bot.token);
    expect(call?.params).toEqual({ url: 'https://bridge.example.com/telegram/webhook/default', secret_token: envWebhookSecret, allowed_updates: [...ALLOWED_UPDATES] });
    expect(harness.telegram.webhookInfo(bot.token)['url']).toBe('https://bridge.example.com/telegram/webhook/default');
    expect(harness.telegram.callsTo('getWebhookInfo').length).toBeGreaterThan(0);
    expect(set.stdout).toContain('✓ webhook of channel "default" set to https://bridge.example.com/telegram/webhook/default');
    expect(set.stdout).toMatch(/pending updates:\s+0/);
    expect(set.stdout).toMatch(/last delivery error:\s+none/);
    expect(set.stdout).toMatch(/secret token:\s+set \(sha256:[0-9a-f]{8}\)/);
  });

  it('sets the webhook of a database channel with its stored secret', async () => {
    const other = harness.newBot('support_bot');
    expect((await harness.run(['channel', 'add', 'support', '--bot-token-env', 'T'], { env: { T: other.token } })).exitCode).toBe(0);
    const set = await harness.run(['webhook', 'set', '--channel', 'support']);
    expect(set.exitCode).toBe(0);
    const stored = await harness.storedChannel('support');
    const call = harness.telegram.callsTo('setWebhook').at(-1);
    expect(call?.token).toBe(other.token);
    expect(call?.params['secret_token']).toBe(stored?.webhookSecret);
    expect(call?.params['url']).toBe('https://bridge.example.com/telegram/webhook/support');
  });

  it('prints getWebhookInfo with the last delivery error', async () => {
    harness.telegram.setWebhookError(bot.token, 'Wrong response from the webhook: 503 Service Unavailable');
    const info = await harness.run(['webhook', 'info'], { env: envChannel });
    expect(info.exitCode).toBe(0);
    expect(info.stdout).toContain('webhook of channel "default" (environment)');
    expect(info.stdout).toMatch(/url:\s+https:\/\/bridge\.example\.com\/telegram\/webhook\/default\n/);
    expect(info.stdout).toMatch(/last delivery error:\s+"Wrong response from the webhook: 503 Service Unavailable" at \d{4}-\d\d-\d\dT/);
    expect(info.stdout).toMatch(/allowed updates:\s+message, edited_message, callback_query, my_chat_member\n/);
  });

  it('says when the webhook points elsewhere than PUBLIC_BASE_URL', async () => {
    const info = await harness.run(['webhook', 'info'], { env: { ...envChannel, PUBLIC_BASE_URL: 'https://new-host.example.com' } });
    expect(info.exitCode).toBe(0);
    expect(info.stdout).toContain('(expected https://new-host.example.com/telegram/webhook/default)');
  });

  it.each([
    ['http://bridge.example.com', 'must start with https://'],
    ['https://bridge.example.com:3000', 'ports 443, 80, 88 or 8443'],
    ['https://bridge.example.com/telegram/webhook/default', 'not a webhook URL'],
  ])('refuses PUBLIC_BASE_URL %s before calling Telegram', async (publicBaseUrl, reason) => {
    const callsBefore = harness.telegram.callsTo('setWebhook').length;
    const refused = await harness.run(['webhook', 'set'], { env: { ...envChannel, PUBLIC_BASE_URL: publicBaseUrl } });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(reason);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(harness.telegram.callsTo('setWebhook')).toHaveLength(callsBefore);
  });

  it('reports a Telegram refusal in one line with the fix', async () => {
    harness.telegram.failNext('setWebhook', 1, { status: 400, description: 'Bad Request: bad webhook: Failed to resolve host: Name or service not known' });
    const refused = await harness.run(['webhook', 'set'], { env: envChannel });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe('error: setWebhook for channel "default" failed: Telegram 400: Bad Request: bad webhook: Failed to resolve host: Name or service not known\n');
  });

  it('fails clearly for an unknown channel and for a missing env variable', async () => {
    const unknown = await harness.run(['webhook', 'set', '--channel', 'nope']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('no channel named "nope"');
    const { TELEGRAM_WEBHOOK_SECRET: _secret, ...withoutSecret } = envChannel;
    const partial = await harness.run(['webhook', 'set'], { env: withoutSecret });
    expect(partial.exitCode).toBe(1);
    expect(partial.stderr).toContain('set TELEGRAM_WEBHOOK_SECRET');
  });

  it('deletes the webhook keeping pending updates unless --drop-pending-updates is given', async () => {
    const deleted = await harness.run(['webhook', 'delete'], { env: envChannel });
    expect(deleted.exitCode).toBe(0);
    expect(harness.telegram.callsTo('deleteWebhook').at(-1)?.params).toEqual({});
    expect(harness.telegram.webhookInfo(bot.token)['url']).toBe('');
    expect(deleted.stdout).toContain('pending update(s) kept at Telegram');

    expect((await harness.run(['webhook', 'set'], { env: envChannel })).exitCode).toBe(0);
    const dropped = await harness.run(['webhook', 'delete', '--drop-pending-updates'], { env: envChannel });
    expect(dropped.exitCode).toBe(0);
    expect(harness.telegram.callsTo('deleteWebhook').at(-1)?.params).toEqual({ drop_pending_updates: true });
    expect(dropped.stdout).toContain('dropped');
  });

  it('reports a revoked token with what to do', async () => {
    const revoked = harness.newBot('revoked_bot');
    harness.telegram.revokeToken(revoked.token);
    const info = await harness.run(['webhook', 'info'], { env: { ...envChannel, TELEGRAM_BOT_TOKEN: revoked.token } });
    expect(info.exitCode).toBe(1);
    expect(info.stderr).toContain('getWebhookInfo for channel "default" failed: Telegram 401: Unauthorized');
    expect(info.stderr).toContain('set TELEGRAM_BOT_TOKEN');
  });

  it('has --help for each subcommand', async () => {
    for (const command of ['set', 'info', 'delete']) {
      const help = await harness.run(['webhook', command, '--help']);
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toContain(`Usage: npm run cli -- webhook ${command}`);
    }
  });
});

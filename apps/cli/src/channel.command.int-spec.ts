import { CliHarness } from '@tgg/testing';
import { runCli, type RunCliOptions } from './run-cli.js';

describe('npm run cli -- channel', () => {
  let harness: CliHarness<RunCliOptions>;
  beforeAll(async () => {
    harness = await CliHarness.start(runCli);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('adds a channel from a token in an env variable, verifies it with getMe and stores every secret encrypted', async () => {
    const bot = harness.newBot('support_bot');
    const added = await harness.run(['channel', 'add', 'support', '--bot-token-env', 'SUPPORT_TOKEN'], { env: { SUPPORT_TOKEN: bot.token } });
    expect(added.exitCode).toBe(0);
    expect(added.stdout).toContain('channel "support" added');
    expect(added.stdout).toContain(`@support_bot (id ${bot.id})`);
    expect(added.stdout).toMatch(/webhook secret:\s+generated \(sha256:[0-9a-f]{8}\)/);
    expect(harness.telegram.callsTo('getMe').some((call) => call.token === bot.token)).toBe(true);

    const stored = await harness.storedChannel('support');
    expect(stored?.botToken).toBe(bot.token);
    expect(stored?.webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await harness.rawChannelRow('support');
    expect(row?.['bot_token_enc']).toMatch(/^v1:/);
    expect(String(row?.['bot_token_enc'])).not.toContain(bot.token);
    expect(String(row?.['telegram_secret_enc'])).not.toContain(stored?.webhookSecret ?? '<none>');
  });

  it('reads the token from stdin', async () => {
    const bot = harness.newBot('stdin_bot');
    const added = await harness.run(['channel', 'add', 'from-stdin', '--bot-token-stdin'], { stdin: `${bot.token}\n` });
    expect(added.exitCode).toBe(0);
    expect((await harness.storedChannel('from-stdin'))?.botToken).toBe(bot.token);
  });

  it('has no way to pass a secret as an argument, and says where secrets come from', async () => {
    const bot = harness.newBot('argv_bot');
    const refused = await harness.run(['channel', 'add', 'argv', '--bot-token', bot.token]);
    expect(refused.exitCode).not.toBe(0);
    expect(await harness.storedChannel('argv')).toBeUndefined();

    const missing = await harness.run(['channel', 'add', 'argv']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('--bot-token-env VAR or --bot-token-stdin');

    const help = await harness.run(['channel', 'add', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('never');
    expect(help.stdout).toContain('`ps`');
  });

  it('refuses a token Telegram rejects, storing nothing', async () => {
    const bot = harness.newBot('revoked_bot');
    harness.telegram.revokeToken(bot.token);
    const refused = await harness.run(['channel', 'add', 'revoked', '--bot-token-env', 'T'], { env: { T: bot.token } });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('getMe for channel "revoked" failed: Telegram 401');
    expect(refused.stderr).toContain('@BotFather');
    expect(await harness.storedChannel('revoked')).toBeUndefined();
  });

  it('refuses an unset variable, a duplicate name and a bad name with one line each', async () => {
    expect((await harness.run(['channel', 'add', 'x', '--bot-token-env', 'NOT_SET_ANYWHERE'])).stderr).toContain('NOT_SET_ANYWHERE');
    const bot = harness.newBot('dup_bot');
    const duplicate = await harness.run(['channel', 'add', 'support', '--bot-token-env', 'T'], { env: { T: bot.token } });
    expect(duplicate.exitCode).toBe(1);
    expect(duplicate.stderr).toContain('already exists');
    const badName = await harness.run(['channel', 'add', 'Bad Name', '--bot-token-env', 'T'], { env: { T: bot.token } });
    expect(badName.exitCode).toBe(1);
    expect(badName.stderr).toContain('invalid channel name');
  });

  it('replaces only the bot token with --update', async () => {
    const before = await harness.storedChannel('support');
    const bot = harness.newBot('support_bot_2');
    const updated = await harness.run(['channel', 'add', 'support', '--update', '--bot-token-env', 'T'], { env: { T: bot.token } });
    expect(updated.exitCode).toBe(0);
    expect(updated.stdout).toMatch(/bot token:\s+replaced: sha256:[0-9a-f]{8} → sha256:[0-9a-f]{8}/);
    const after = await harness.storedChannel('support');
    expect(after?.botToken).toBe(bot.token);
    expect(after?.webhookSecret).toBe(before?.webhookSecret);
  });

  it('lists channels with which secrets are set, never their values', async () => {
    const listed = await harness.run(['channel', 'list']);
    expect(listed.exitCode).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CHANNEL\s+SOURCE\s+BOT TOKEN\s+WEBHOOK SECRET\s+GENESYS INTEGRATION\s+GENESYS SECRET\s+UPDATED$/);
    expect(lines.find((line) => line.startsWith('support '))).toMatch(/support\s+db\s+set\s+set\s+not set\s+not set/);
    expect(lines.some((line) => line.startsWith('from-stdin '))).toBe(true);
  });

  it('shows channel "default" from the environment, with the env variables it has', async () => {
    const bot = harness.newBot('env_bot');
    const listed = await harness.run(['channel', 'list'], { env: { TELEGRAM_BOT_TOKEN: bot.token, TELEGRAM_WEBHOOK_SECRET: 'env-webhook-secret-0123456789' } });
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toMatch(/default\s+env\s+set\s+set\s+not set\s+not set/);
  });

  it('rotates the webhook secret: stores a new one and re-registers the webhook with it', async () => {
    const before = await harness.storedChannel('support');
    const rotated = await harness.run(['channel', 'rotate-secret', 'support']);
    expect(rotated.exitCode).toBe(0);
    const after = await harness.storedChannel('support');
    expect(after?.webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(after?.webhookSecret).not.toBe(before?.webhookSecret);
    const setWebhook = harness.telegram.callsTo('setWebhook').filter((call) => call.token === after?.botToken).at(-1);
    expect(setWebhook?.params['secret_token']).toBe(after?.webhookSecret);
    expect(setWebhook?.params['url']).toBe('https://bridge.example.com/telegram/webhook/support');
    expect(rotated.stdout).toMatch(/rotated: sha256:[0-9a-f]{8} → sha256:[0-9a-f]{8}/);
    expect(rotated.stdout).toContain('webhook re-registered at https://bridge.example.com/telegram/webhook/support');
  });

  it('changes nothing when PUBLIC_BASE_URL cannot receive webhooks', async () => {
    const before = await harness.storedChannel('support');
    const refused = await harness.run(['channel', 'rotate-secret', 'support'], { env: { PUBLIC_BASE_URL: 'http://bridge.example.com' } });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('PUBLIC_BASE_URL must start with https://');
    expect((await harness.storedChannel('support'))?.webhookSecret).toBe(before?.webhookSecret);
  });

  it('keeps the new secret and says what to run when Telegram refuses setWebhook', async () => {
    const before = await harness.storedChannel('support');
    harness.telegram.failNext('setWebhook', 1, { status: 500, description: 'Internal Server Error' });
    const refused = await harness.run(['channel', 'rotate-secret', 'support']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('setWebhook for channel "support" failed: Telegram 500');
    expect(refused.stderr).toContain('webhook set --channel support');
    expect((await harness.storedChannel('support'))?.webhookSecret).not.toBe(before?.webhookSecret);
  });

  it('refuses to rotate or remove the env-defined channel "default"', async () => {
    const bot = harness.newBot('env_bot_2');
    const env = { TELEGRAM_BOT_TOKEN: bot.token, TELEGRAM_WEBHOOK_SECRET: 'env-webhook-secret-abcdefghij' };
    const rotate = await harness.run(['channel', 'rotate-secret', 'default'], { env });
    expect(rotate.exitCode).toBe(1);
    expect(rotate.stderr).toContain('TELEGRAM_WEBHOOK_SECRET');
    expect((await harness.run(['channel', 'remove', 'default', '--yes'], { env })).exitCode).toBe(1);
  });

  it('removes a channel only with --yes, deleting its Telegram webhook first', async () => {
    const stored = await harness.storedChannel('from-stdin');
    const refused = await harness.run(['channel', 'remove', 'from-stdin']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('--yes');
    expect(await harness.storedChannel('from-stdin')).toBeDefined();

    const removed = await harness.run(['channel', 'remove', 'from-stdin', '--yes']);
    expect(removed.exitCode).toBe(0);
    expect(await harness.storedChannel('from-stdin')).toBeUndefined();
    expect(harness.telegram.callsTo('deleteWebhook').some((call) => call.token === stored?.botToken && call.params['drop_pending_updates'] === undefined)).toBe(true);
    expect((await harness.run(['channel', 'remove', 'from-stdin', '--yes'])).stderr).toContain('no channel named "from-stdin"');
  });

  it('needs ENCRYPTION_KEY to write secrets', async () => {
    const bot = harness.newBot('nokey_bot');
    const refused = await harness.run(['channel', 'add', 'nokey', '--bot-token-env', 'T'], { env: { T: bot.token, ENCRYPTION_KEY: undefined } });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('ENCRYPTION_KEY is not set');
  });
});

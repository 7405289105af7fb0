import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliHarness } from '@tgg/testing';
import { runCli, type RunCliOptions } from './run-cli.js';

describe('npm run cli -- doctor', () => {
  let harness: CliHarness<RunCliOptions>;
  let bot: { token: string; id: number };
  let envChannel: Record<string, string>;
  const integrationId = '5c1d2e3f-0000-4000-8000-0000000d0c70';

  beforeAll(async () => {
    harness = await CliHarness.start(runCli);
    bot = harness.newBot('default_bot');
    envChannel = {
      TELEGRAM_BOT_TOKEN: bot.token,
      TELEGRAM_WEBHOOK_SECRET: 'doctor_webhook-secret_0a1b2c3d4e',
      GENESYS_INTEGRATION_ID: integrationId,
      GENESYS_WEBHOOK_SECRET: 'doctor-genesys-signature-secret-5f6e',
    };
    harness.genesys.addIntegration(integrationId, { name: 'Telegram default', webhookUrl: 'https://bridge.example.com/genesys/webhook/default', webhookSecret: envChannel['GENESYS_WEBHOOK_SECRET'] });
    expect((await harness.run(['webhook', 'set'], { env: envChannel })).exitCode).toBe(0);

    const support = harness.newBot('support_bot');
    expect((await harness.run(['channel', 'add', 'support', '--bot-token-env', 'T'], { env: { T: support.token } })).exitCode).toBe(0);
    expect((await harness.run(['genesys', 'integration', 'create', '--channel', 'support'])).exitCode).toBe(0);
    expect((await harness.run(['webhook', 'set', '--channel', 'support'])).exitCode).toBe(0);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('passes a healthy setup, one ✓ line per check, exit 0', async () => {
    const doctor = await harness.run(['doctor'], { env: envChannel });
    expect(doctor.stderr).toBe('');
    const lines = doctor.stdout.split('\n');
    for (const expected of [
      '  ✓ configuration valid',
      '  ✓ PUBLIC_BASE_URL https://bridge.example.com can receive Telegram webhooks',
      /^ {2}✓ Postgres reachable at postgresql:\/\//,
      /^ {2}✓ migrations applied \((\d+) of \1\)$/,
      /^ {2}✓ Redis reachable at redis:\/\/.* \(queue prefix "tgg-t\.[0-9a-f]+:q_1"\)$/,
      /^ {2}✓ Genesys OAuth token fetched from http:\/\/127\.0\.0\.1:\d+$/,
      'Channel "default" (environment)',
      `  ✓ bot token valid: @default_bot (id ${bot.id})`,
      '  ✓ webhook https://bridge.example.com/telegram/webhook/default, 0 pending update(s)',
      `  ✓ Genesys integration ${integrationId} "Telegram default": status Active, createStatus Completed`,
      'Channel "support" (database)',
      '  ✓ webhook https://bridge.example.com/telegram/webhook/support, 0 pending update(s)',
    ]) {
      expect(lines.some((line) => (typeof expected === 'string' ? line === expected : expected.test(line)))).toBe(true);
    }
    // A dev Redis usually runs without AOF: reported with its fix, but only as a warning.
    expect(lines.filter((line) => line.includes('✗')).every((line) => line.endsWith('(warning)'))).toBe(true);
    expect(doctor.stdout).toMatch(/all checks passed; \d+ ok, \d+ warning\(s\)/);
    expect(doctor.exitCode).toBe(0);
  });

  it('reports a revoked bot token as ✗ with the fix and exits 1', async () => {
    const revoked = harness.newBot('revoked_bot');
    harness.telegram.revokeToken(revoked.token);
    const doctor = await harness.run(['doctor'], { env: { ...envChannel, TELEGRAM_BOT_TOKEN: revoked.token } });
    expect(doctor.exitCode).toBe(1);
    const lines = doctor.stdout.split('\n');
    const failure = lines.indexOf('  ✗ bot token rejected by getMe (Telegram 401: Unauthorized): revoked in @BotFather?');
    expect(failure).toBeGreaterThanOrEqual(0);
    expect(lines[failure + 1]).toBe('      fix: get the current token from @BotFather (/token) and set TELEGRAM_BOT_TOKEN');
    expect(doctor.stdout).toMatch(/1 problem\(s\) to fix/);
    // The other channel is still checked.
    expect(doctor.stdout).toContain('Channel "support" (database)');
  });

  it('reports a webhook that points elsewhere, with the command that fixes it', async () => {
    const doctor = await harness.run(['doctor'], { env: { ...envChannel, PUBLIC_BASE_URL: 'https://moved.example.com' } });
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toContain('  ✗ webhook points to https://bridge.example.com/telegram/webhook/default, expected https://moved.example.com/telegram/webhook/default\n      fix: npm run cli -- webhook set --channel default\n');
  });

  it('reports a fresh delivery error with its fix', async () => {
    harness.telegram.setWebhookError(bot.token, 'Connection refused');
    const doctor = await harness.run(['doctor'], { env: envChannel });
    // The emulator never holds pending updates, so a fresh error is a warning here, shown with its fix.
    expect(doctor.stdout).toMatch(/ {2}✗ last delivery error "Connection refused" \d+ s ago \(warning\)\n {6}fix: make ingress reachable/);
    expect((await harness.run(['webhook', 'set'], { env: envChannel })).exitCode).toBe(0);
  });

  it('reports pending migrations, a partial credential set and a wrong Genesys secret', async () => {
    const migrationsDir = mkdtempSync(path.join(os.tmpdir(), 'tgg-migrations-'));
    try {
      cpSync(path.resolve('prisma/migrations'), migrationsDir, { recursive: true });
      mkdirSync(path.join(migrationsDir, '29990101000000_future'));
      writeFileSync(path.join(migrationsDir, '29990101000000_future', 'migration.sql'), 'SELECT 1;\n');
      const { GENESYS_INTEGRATION_ID: _id, ...partial } = envChannel;
      const doctor = await harness.run(['doctor'], { env: { ...partial, GENESYS_CLIENT_SECRET: 'not-the-client-secret' }, options: { migrationsDir } });
      expect(doctor.exitCode).toBe(1);
      expect(doctor.stdout).toContain('  ✗ 1 migration(s) pending: 29990101000000_future\n      fix: npm run db:migrate\n');
      expect(doctor.stdout).toContain('  ✗ the services would refuse this environment: incomplete credentials: set GENESYS_INTEGRATION_ID too');
      expect(doctor.stdout).toMatch(/ {2}✗ Genesys token request to \S+ failed: Genesys token request answered 401/);
      expect(doctor.stdout).toContain('  ✗ no Genesys integration\n');
    } finally {
      rmSync(migrationsDir, { recursive: true, force: true });
    }
  });

  it('keeps checking when Postgres is down', async () => {
    const doctor = await harness.run(['doctor'], { env: { ...envChannel, DATABASE_URL: 'postgresql://postgres:pw-never-shown@127.0.0.1:1/tgg' } });
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toMatch(/ {2}✗ Postgres is unreachable at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/tgg/);
    expect(doctor.stdout).not.toContain('pw-never-shown');
    expect(doctor.stdout).toContain('  ✗ channels in Postgres not checked: Postgres is unreachable');
    expect(doctor.stdout).toContain(`  ✓ bot token valid: @default_bot (id ${bot.id})`);
  });
});

import pg from 'pg';
import { CliHarness } from '@tgg/testing';
import { runCli, type RunCliOptions } from './run-cli.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW_MS = Date.UTC(2026, 11, 6, 12, 0, 0);

describe('npm run cli -- messages purge', () => {
  let harness: CliHarness<RunCliOptions>;
  let db: pg.Client;

  const bodies = async () => (await db.query<{ body: string | null }>('SELECT body FROM messages ORDER BY telegram_message_id')).rows.map((row) => row.body);

  beforeAll(async () => {
    harness = await CliHarness.start(runCli);
    db = new pg.Client({ connectionString: harness.db.url });
    await db.connect();
    const bot = harness.newBot('retention_bot');
    harness.rememberSecret(bot.token);
    expect((await harness.run(['channel', 'add', 'support', '--bot-token-env', 'BOT_TOKEN'], { env: { BOT_TOKEN: bot.token } })).exitCode).toBe(0);
    // Backdated rows: 40 and 31 days old (expired under the default 30), 29 and 1 day old (kept).
    for (const [index, ageDays] of [40, 31, 29, 1].entries()) {
      await db.query(
        `INSERT INTO messages (id, direction, channel_id, chat_id, variant, telegram_message_id, status, body, created_at, updated_at)
         SELECT gen_random_uuid(), 'inbound', id, 7400000001, 'm', $1, 'delivered', $2, $3, now() FROM channels WHERE name = 'support'`,
        [index + 1, `customer text ${index + 1}`, new Date(NOW_MS - ageDays * DAY_MS)],
      );
    }
  });

  afterAll(async () => {
    await db?.end();
    await harness?.close();
  });

  it('--dry-run counts what would go and changes nothing; without it purges and says how much', async () => {
    const options = { now: () => NOW_MS };
    const dryRun = await harness.run(['messages', 'purge', '--dry-run'], { options });
    expect(dryRun).toEqual({ exitCode: 0, stdout: 'dry run: 2 message bodies created before 2026-11-06T12:00:00.000Z (MESSAGE_RETENTION_DAYS=30) would be purged; nothing changed\n', stderr: '' });
    expect(await bodies()).toEqual(['customer text 1', 'customer text 2', 'customer text 3', 'customer text 4']);

    const purge = await harness.run(['messages', 'purge'], { options });
    expect(purge.exitCode).toBe(0);
    expect(purge.stdout).toBe('✓ purged 2 message bodies created before 2026-11-06T12:00:00.000Z (MESSAGE_RETENTION_DAYS=30) in 1 batch(es); the rows and their keys are kept\n');
    expect(await bodies()).toEqual([null, null, 'customer text 3', 'customer text 4']);

    const shorter = await harness.run(['messages', 'purge'], { options, env: { MESSAGE_RETENTION_DAYS: '1' } });
    expect(shorter.stdout).toContain('✓ purged 1 message body created before 2026-12-05T12:00:00.000Z (MESSAGE_RETENTION_DAYS=1)');
  });

  it('fails with one line when Postgres is unreachable', async () => {
    const run = await harness.run(['messages', 'purge', '--dry-run'], { env: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere' } });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error: Postgres is unreachable at postgresql:\/\/postgres@127\.0\.0\.1:1\/nowhere .*\n$/);
  });
});

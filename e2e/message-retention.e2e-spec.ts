import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { BridgeHarness, eventually, redisUrl } from '@tgg/testing';

/**
 * SPEC §6: bodies older than MESSAGE_RETENTION_DAYS are purged. The dispatcher registers a BullMQ
 * job scheduler whose first run is due at once; rows keep their keys, younger bodies stay.
 */
describe('message retention run by the dispatcher', () => {
  let bridge: BridgeHarness;
  let db: pg.Client;
  let redis: Redis;
  let maintenance: Queue;

  beforeAll(async () => {
    // Ingress alone first: it writes the `default` channel the backdated rows belong to.
    bridge = await BridgeHarness.start({ services: ['ingress'], env: { MESSAGE_RETENTION_DAYS: '7' } });
    db = new pg.Client({ connectionString: bridge.db.url });
    await db.connect();
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    maintenance = new Queue('maintenance', { connection: redis, prefix: bridge.queuePrefix });
  }, 60_000);

  afterAll(async () => {
    await maintenance?.obliterate({ force: true });
    await maintenance?.close();
    await redis?.quit();
    await db?.end();
    await bridge?.stop();
  });

  it('purges the bodies of backdated messages on its scheduled run, keeps the rows and the younger bodies, and counts them', async () => {
    const ages = [8, 10, 30, 400, 6, 0];
    for (const [index, ageDays] of ages.entries()) {
      await db.query(
        `INSERT INTO messages (id, direction, channel_id, chat_id, variant, telegram_message_id, status, body, created_at, updated_at)
         SELECT gen_random_uuid(), 'inbound', id, 7300000001, 'm', $1, 'delivered', $2, now() - make_interval(days => $3), now() FROM channels WHERE name = 'default'`,
        [index + 1, `customer text ${index + 1}`, ageDays],
      );
    }

    await bridge.startService('dispatcher');

    const bodies = async () => (await db.query<{ body: string | null }>('SELECT body FROM messages WHERE chat_id = 7300000001 ORDER BY telegram_message_id')).rows.map((row) => row.body);
    await eventually(async () => expect(await bodies()).toEqual([null, null, null, null, 'customer text 5', 'customer text 6']), 20_000, 200);
    const metrics = await (await fetch(`${bridge.url('dispatcher')}/metrics`)).text();
    expect(metrics).toMatch(/^tgg_message_bodies_purged_total\{[^}]*\} 4$/m);
    expect(await maintenance.getJobSchedulersCount()).toBe(1);
    // The next run waits for its hour.
    expect(await maintenance.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 0, delayed: 1 });
  }, 60_000);
});

import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { QueueName, toJobId } from '@tgg/queues';
import { BridgeHarness, aTextUpdate, eventually, redisUrl } from '@tgg/testing';

/** A my_chat_member update as Telegram sends it when the customer blocks (`kicked`) or unblocks (`member`) the bot. */
function aMemberUpdate(updateId: number, chatId: number, dateS: number, status: 'kicked' | 'member'): Record<string, unknown> {
  const user = { id: chatId, is_bot: false, first_name: 'Ana' };
  const bot = { id: 7_000_000_000, is_bot: true, first_name: 'Harness', username: 'harness_bot' };
  return {
    update_id: updateId,
    my_chat_member: {
      chat: { id: chatId, type: 'private', first_name: 'Ana' },
      from: user,
      date: dateS,
      old_chat_member: { status: status === 'kicked' ? 'member' : 'kicked', user: bot },
      new_chat_member: { status, user: bot, ...(status === 'kicked' ? { until_date: 0 } : {}) },
    },
  };
}

describe('input edges through the real services: a punctuated QUEUE_PREFIX, block/unblock out of order', () => {
  let bridge: BridgeHarness;
  let redis: Redis;
  let db: pg.Client;

  beforeAll(async () => {
    bridge = await BridgeHarness.start({ windowMs: 0 });
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    db = new pg.Client({ connectionString: bridge.db.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await redis?.quit();
    await bridge?.stop();
  });

  it('carries a message to Genesys with a QUEUE_PREFIX containing : . _ -, every key under that prefix verbatim', async () => {
    expect(bridge.queuePrefix).toMatch(/^[\w.-]*[.][\w.-]*:[\w.:-]*_/); // the harness's prefix: this test is about it
    const chatId = 61_001;
    expect((await bridge.postUpdate(aTextUpdate({ updateId: 61_000_001, chatId, messageId: 1, text: 'prefix check' }))).status).toBe(200);
    const [received] = await bridge.genesys.waitForInbound((record) => record.body.channel.from.id === String(chatId), 1, 20_000);
    expect(received?.body.text).toBe('prefix check');

    // BullMQ's queues, the sequencer's per-chat turns and the dispatcher's accepted-by-Genesys marker
    // (written just after Genesys answered, so it may trail the arrival by a moment).
    await eventually(async () => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${bridge.queuePrefix}:*`, 'COUNT', 1000);
        keys.push(...found);
        cursor = next;
      } while (cursor !== '0');
      const families = new Set(keys.map((key) => key.slice(bridge.queuePrefix.length + 1).split(':')[0]));
      expect([...families]).toEqual(expect.arrayContaining([QueueName.TelegramUpdates, QueueName.GenesysInbound, 'seq', 'genesys-accepted']));
    }, 10_000, 100);
  }, 30_000);

  it('keeps a newer unblock when the older "kicked" reaches the bridge after it (Telegram retried it)', async () => {
    const chatId = 61_002;
    const blockedAtS = Math.floor(Date.now() / 1000) - 120;
    // The kicked webhook failed at first; Telegram delivered the unblock, then retried the kicked.
    expect((await bridge.postUpdate(aMemberUpdate(61_000_011, chatId, blockedAtS + 60, 'member'))).status).toBe(200);
    expect((await bridge.postUpdate(aMemberUpdate(61_000_010, chatId, blockedAtS, 'kicked'))).status).toBe(200);

    const inbound = new Queue(QueueName.GenesysInbound, { connection: redis, prefix: bridge.queuePrefix });
    try {
      for (const updateId of [61_000_011, 61_000_010]) {
        await eventually(async () => expect(await (await Job.fromId(inbound, toJobId('member', 'default', updateId)))?.getState()).toBe('completed'), 20_000, 100);
      }
    } finally {
      await inbound.close();
    }
    const { rows } = await db.query<{ blocked: boolean }>('SELECT blocked FROM conversations WHERE chat_id = $1', [chatId]);
    expect(rows).toEqual([{ blocked: false }]);
  }, 30_000);
});

import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { BridgeHarness, aCallbackQueryUpdate, aTextUpdate, eventually, redisUrl, shuffled } from '@tgg/testing';
import type { InboundMessageRecord } from '@tgg/emulators';

/** Genesys channel.messageId is `<chat_id>:<message_id>`: group what arrived by chat, in arrival order. */
function messageIdsByChat(inbound: InboundMessageRecord[]): Map<string, number[]> {
  const byChat = new Map<string, number[]>();
  for (const record of inbound) {
    const [chatId, messageId] = record.body.channel.messageId.split(':');
    byChat.set(chatId ?? '', [...(byChat.get(chatId ?? '') ?? []), Number(messageId)]);
  }
  return byChat;
}

describe('inbound path: Telegram webhook → ingress → sequencer → dispatcher → Genesys', () => {
  let bridge: BridgeHarness;
  let redis: Redis;
  let updatesQueue: Queue;

  beforeAll(async () => {
    // Wide enough that a whole shuffled chat (12 posts, one at a time) lands inside one window on a loaded CI machine.
    bridge = await BridgeHarness.start({ windowMs: 2000 });
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    updatesQueue = new Queue('telegram-updates', { connection: redis, prefix: bridge.queuePrefix });
  }, 60_000);

  afterAll(async () => {
    await updatesQueue.close();
    await redis.quit();
    await bridge.stop();
  });

  beforeEach(() => {
    bridge.genesys.clearRecorded();
  });

  it('rejects bad requests with 401/401/404/400/400/413 and enqueues nothing', async () => {
    const update = aTextUpdate({ updateId: 1, chatId: 9001, messageId: 1 });
    const cases: [string, Promise<Response>, number, string][] = [
      ['wrong secret', bridge.postUpdate(update, { secret: 'wrong' }), 401, 'bad_secret'],
      ['missing secret', bridge.postUpdate(update, { secret: null }), 401, 'bad_secret'],
      ['unknown channel', bridge.postUpdate(update, { channel: 'nope' }), 404, 'unknown_channel'],
      ['bad JSON', bridge.postUpdate(undefined, { body: '{"update_id": 1,' }), 400, 'invalid_json'],
      ['not an Update', bridge.postUpdate({ update_id: 'one', message: {} }), 400, 'not_an_update'],
      ['oversized body', bridge.postUpdate(undefined, { body: JSON.stringify({ update_id: 2, pad: 'x'.repeat(1024 * 1024) }) }), 413, 'body_too_large'],
    ];
    for (const [name, request, status, code] of cases) {
      const response = await request;
      const body = (await response.json()) as { error: string; message: string };
      expect({ name, status: response.status, error: body.error }).toEqual({ name, status, error: code });
      expect(typeof body.message).toBe('string');
    }
    const counts = await updatesQueue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(0);
  });

  it('answers 200 to update kinds it does not forward, and forwards nothing', async () => {
    const response = await bridge.postUpdate(aCallbackQueryUpdate(50, 9002));
    expect(response.status).toBe(200);
    const metrics = await (await fetch(`${bridge.url('ingress')}/metrics`)).text();
    // Not a tap on a keyboard of the bridge (no such callback_data, no message): answered and ignored.
    expect(metrics).toMatch(/tgg_updates_total\{outcome="ignored",reason="tap_not_ours"[^}]*\} 1/);
  });

  it('delivers 20 chats × 10 shuffled messages with 20% duplicates exactly once, in order per chat', async () => {
    const chats = Array.from({ length: 20 }, (_, index) => 7_000_000_001 + index * 1_000_003); // above 2^32
    let updateId = 1000;
    const perChat = chats.map((chatId, chatIndex) => {
      const updates = Array.from({ length: 10 }, (_, i) => aTextUpdate({ updateId: updateId++, chatId, messageId: i + 1 }));
      const withDuplicates = [...updates, ...updates.filter((_, i) => (i + chatIndex) % 5 === 0)]; // 20% repeated update_id
      return shuffled(withDuplicates, chatIndex + 1);
    });
    const startedAtMs = Date.now();
    // Chats in parallel; within a chat one at a time, as Telegram delivers them.
    const statuses = await Promise.all(
      perChat.map(async (updates) => {
        const codes: number[] = [];
        for (const update of updates) codes.push((await bridge.postUpdate(update)).status);
        return codes;
      }),
    );
    const ackedAtMs = Date.now();
    expect(statuses.flat().every((status) => status === 200)).toBe(true);

    const received = await bridge.genesys.waitForInbound(() => true, 200, 60_000);
    // Give stragglers (duplicates) a chance to show up before asserting there are none.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const byChat = messageIdsByChat(bridge.genesys.inbound);
    expect(bridge.genesys.inbound).toHaveLength(200);
    for (const chatId of chats) expect(byChat.get(String(chatId))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(received[0]?.body.channel.from).toMatchObject({ idType: 'Opaque', nickname: '@ana_l', firstName: 'Ana', lastName: 'Lopez' });
    const updatesPerS = (240 / ((ackedAtMs - startedAtMs) / 1000)).toFixed(0);
    console.log(`ingress accepted 240 updates in ${ackedAtMs - startedAtMs} ms (${updatesPerS}/s, 20 chats in parallel, one request at a time per chat)`);
  }, 90_000);

  it('writes the chat ↔ conversation mapping on the first message and reuses it', async () => {
    const chatId = 8_100_000_001;
    await bridge.postUpdate(aTextUpdate({ updateId: 5001, chatId, messageId: 1 }));
    const [first] = await bridge.genesys.waitForInbound((record) => record.body.channel.from.id === String(chatId), 1, 20_000);
    await bridge.postUpdate(aTextUpdate({ updateId: 5002, chatId, messageId: 2 }));
    const both = await bridge.genesys.waitForInbound((record) => record.body.channel.from.id === String(chatId), 2, 20_000);
    expect(both[1]?.conversationId).toBe(first?.conversationId);

    const client = new pg.Client({ connectionString: bridge.db.url });
    await client.connect();
    try {
      await eventually(async () => {
        const { rows } = await client.query('SELECT chat_id::text AS chat_id, genesys_conversation_id, username FROM conversations WHERE chat_id = $1', [String(chatId)]);
        expect(rows).toEqual([{ chat_id: String(chatId), genesys_conversation_id: first?.conversationId, username: 'ana_l' }]);
      });
      await eventually(async () => {
        const messages = await client.query('SELECT telegram_message_id::int AS id, status FROM messages WHERE chat_id = $1 ORDER BY telegram_message_id', [String(chatId)]);
        expect(messages.rows).toEqual([{ id: 1, status: 'delivered' }, { id: 2, status: 'delivered' }]);
      });
    } finally {
      await client.end();
    }
  }, 40_000);

  it('answers 200 and forwards nothing for a repeated update_id or a repeated (chat, message_id)', async () => {
    const chatId = 8_200_000_001;
    const update = aTextUpdate({ updateId: 6001, chatId, messageId: 1 });
    expect((await bridge.postUpdate(update)).status).toBe(200);
    expect((await bridge.postUpdate(update)).status).toBe(200);
    expect((await bridge.postUpdate({ ...update, update_id: 6002 })).status).toBe(200);
    await bridge.genesys.waitForInbound((record) => record.body.channel.from.id === String(chatId), 1, 20_000);
    await bridge.postUpdate(aTextUpdate({ updateId: 6003, chatId, messageId: 2 }));
    await bridge.genesys.waitForInbound((record) => record.body.channel.from.id === String(chatId), 2, 20_000);
    // Message 2 arrived after both replays had been processed: had a replay been forwarded, it would be here.
    expect(messageIdsByChat(bridge.genesys.inbound).get(String(chatId))).toEqual([1, 2]);
  }, 40_000);

  it('retries through Genesys 503 and 429 (Retry-After) and delivers once, in order', async () => {
    const chatId = 8_300_000_001;
    bridge.genesys.failNext('message', 1, { status: 503 });
    bridge.genesys.failNext('message', 1, { status: 429, retryAfterS: 1 });
    const started = Date.now();
    for (let messageId = 1; messageId <= 3; messageId++) await bridge.postUpdate(aTextUpdate({ updateId: 7000 + messageId, chatId, messageId }));
    await bridge.genesys.waitForInbound((record) => record.body.channel.from.id === String(chatId), 3, 30_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // the 429 asked for 1 s
    expect(messageIdsByChat(bridge.genesys.inbound).get(String(chatId))).toEqual([1, 2, 3]);
    const failedAttempts = bridge.genesys.requests.filter((request) => request.route === 'message' && request.status >= 400);
    expect(failedAttempts.map((request) => request.status)).toEqual([503, 429]);
  }, 40_000);

  it('refreshes an expired token mid-stream and loses nothing', async () => {
    const chatId = 8_400_000_001;
    await bridge.postUpdate(aTextUpdate({ updateId: 8001, chatId, messageId: 1 }));
    await bridge.genesys.waitForInbound((record) => record.body.channel.from.id === String(chatId), 1, 20_000);
    const tokensBefore = bridge.genesys.tokenRequests;
    bridge.genesys.expireAllTokens();
    for (let messageId = 2; messageId <= 5; messageId++) await bridge.postUpdate(aTextUpdate({ updateId: 8000 + messageId, chatId, messageId }));
    await bridge.genesys.waitForInbound((record) => record.body.channel.from.id === String(chatId), 5, 20_000);
    expect(messageIdsByChat(bridge.genesys.inbound).get(String(chatId))).toEqual([1, 2, 3, 4, 5]);
    expect(bridge.genesys.tokenRequests).toBeGreaterThan(tokensBefore);
  }, 40_000);
});

import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig, type AppConfig } from '@tgg/config';
import { ChatTurnStore, chatRefOf } from '@tgg/chat-turns';
import { ChatId, type OrderKey } from '@tgg/contracts';
import { QueueName } from '@tgg/queues';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { ChatIntakeQueue } from '@tgg/service-runtime';
import { genesysRepliesIntake, type GenesysRepliesIntake } from './genesys-replies.producer.js';

const CHAT_ID = '7000000042';
const aReply = (id: string, atMs: number) => ({
  channel: 'default',
  reply: { id, channel: { to: { id: CHAT_ID, idType: 'Opaque' as const }, time: new Date(atMs).toISOString() }, type: 'Text' as const, text: id },
  receivedAtMs: atMs,
  trace: {},
});

describe('The genesys-replies intake and the chat line (real Redis)', () => {
  let redis: Redis;
  let config: AppConfig;
  let producer: GenesysRepliesIntake;
  let store: ChatTurnStore;

  beforeEach(() => {
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    config = loadConfig({ REDIS_URL: redisUrl(), QUEUE_PREFIX: testQueuePrefix() });
    producer = new ChatIntakeQueue(redis, config, genesysRepliesIntake);
    store = new ChatTurnStore(redis, config.redis.queuePrefix, { namespace: 'out' });
  });
  afterEach(async () => {
    await producer.onApplicationShutdown();
    const queue = new Queue(QueueName.GenesysReplies, { connection: redis, prefix: config.redis.queuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
    const keys = await redis.keys(`${config.redis.queuePrefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('holds a chat\'s later reply back until an earlier acknowledged one has joined the line (an intake worker may have died holding it)', async () => {
    const nowMs = Date.now();
    expect(await producer.enqueue(aReply('reply-a', nowMs))).toBe('accepted');
    expect(await producer.enqueue(aReply('reply-b', nowMs + 1))).toBe('accepted');
    const chatRef = chatRefOf('default', ChatId.parse(CHAT_ID));
    // B's intake runs first (A's job is still locked by a killed worker): B must not be handed out.
    await store.accept(chatRef, 'key-b' as OrderKey, JSON.stringify({ id: 'b' }), nowMs + 10, 0, 'reply-b');
    expect(await store.advance(chatRef, nowMs + 20)).toBeUndefined();
    // A's job comes back and joins the line: the chat goes on, A first.
    await store.accept(chatRef, 'key-a' as OrderKey, JSON.stringify({ id: 'a' }), nowMs + 30, 0, 'reply-a');
    expect(await store.advance(chatRef, nowMs + 40)).toMatchObject({ orderKey: 'key-a', isNewTurn: true });
  });

  it('answers a repeated Genesys message id as a duplicate and marks nothing more', async () => {
    const nowMs = Date.now();
    expect(await producer.enqueue(aReply('reply-a', nowMs))).toBe('accepted');
    expect(await producer.enqueue(aReply('reply-a', nowMs))).toBe('duplicate');
  });
});

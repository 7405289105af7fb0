import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '@tgg/config';
import { FakeTelegram } from '@tgg/emulators';
import { startService, type RunningService } from '@tgg/service-runtime';
import { KeyboardButtonStore, newKeyboardId } from '@tgg/telegram';
import { HARNESS_CREDENTIALS, TcpProxy, createTestDatabase, eventually, redisUrl, testQueuePrefix, type TestDatabase } from '@tgg/testing';
import { ingressService } from '../ingress.service-definition.js';

const { botToken, webhookSecret } = HARNESS_CREDENTIALS;
const CHAT_ID = 7_300_000_001;

/**
 * Ingress alone (in process) with real Redis behind a cuttable proxy and the fake Telegram: a tap
 * is stored before its 200, which never waits on Telegram; a tap refused with 503 wins its keyboard
 * when Telegram redelivers it.
 */
describe('ingress: taps on inline keyboards', () => {
  let db: TestDatabase;
  let telegram: FakeTelegram;
  let proxy: TcpProxy;
  let redis: Redis;
  let updates: Queue;
  let ingress: RunningService;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    [db, telegram] = await Promise.all([createTestDatabase(), FakeTelegram.start()]);
    telegram.addBot(botToken);
    proxy = await TcpProxy.start(Number(new URL(redisUrl()).port || 6379), new URL(redisUrl()).hostname);
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    updates = new Queue('telegram-updates', { connection: redis, prefix });
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      QUEUE_PREFIX: prefix,
      TELEGRAM_API_BASE_URL: telegram.baseUrl,
      TELEGRAM_BOT_TOKEN: botToken,
      TELEGRAM_WEBHOOK_SECRET: webhookSecret,
      GENESYS_CLIENT_ID: HARNESS_CREDENTIALS.clientId,
      GENESYS_CLIENT_SECRET: HARNESS_CREDENTIALS.clientSecret,
      GENESYS_INTEGRATION_ID: HARNESS_CREDENTIALS.integrationId,
      GENESYS_WEBHOOK_SECRET: HARNESS_CREDENTIALS.genesysWebhookSecret,
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
    });
    ingress = await startService(ingressService, config, { port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await ingress?.app.close();
    await updates.obliterate({ force: true });
    await updates.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await proxy.close();
    await telegram.close();
    await db.drop();
  });

  /** A keyboard of the bridge in the chat (records saved, message sent); returns the prepared tap on its first button. */
  async function keyboardTap(): Promise<{ update: Record<string, unknown>; id: string }> {
    const store = new KeyboardButtonStore(redis, prefix);
    const [data] = await store.save([{ channel: 'default', chatId: String(CHAT_ID), keyboardId: newKeyboardId(), originatingMessageId: 'g-1', type: 'QuickReply', text: 'Yes', payload: 'YES' }]);
    const sent = await fetch(`${telegram.baseUrl}/bot${botToken}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: CHAT_ID, text: 'Resolved?', reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: data }]] } }),
    });
    const messageId = ((await sent.json()) as { result: { message_id: number } }).result.message_id;
    const update = telegram.prepareTap(botToken, { chatId: CHAT_ID, messageId, buttonText: 'Yes' });
    return { update, id: (update['callback_query'] as { id: string }).id };
  }

  function post(update: object): Promise<Response> {
    return fetch(`${ingress.url}/telegram/webhook/default`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': webhookSecret },
      body: JSON.stringify(update),
    });
  }

  async function storedTaps(): Promise<string[]> {
    const jobs = await updates.getJobs(['waiting', 'delayed', 'active', 'completed']);
    return jobs.map((job) => (job.data as { update: { callback_query?: { id: string } } }).update.callback_query?.id ?? '').filter(Boolean);
  }

  it('stores the tap before answering 200 and does not wait for answerCallbackQuery', async () => {
    const { update, id } = await keyboardTap();
    telegram.stall('answerCallbackQuery', 3000);
    const startedAt = Date.now();
    const response = await post(update);
    expect(response.status).toBe(200);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(await storedTaps()).toContain(id);
    await eventually(() => expect(telegram.callsTo('answerCallbackQuery').map((call) => call.params['callback_query_id'])).toContain(id), 10_000);
  });

  it('answers 503 while Redis is unreachable, and stores the tap once when Telegram redelivers it', async () => {
    const { update, id } = await keyboardTap();
    proxy.cut();
    const refused = await post(update);
    expect(refused.status).toBe(503);
    expect(telegram.callsTo('answerCallbackQuery').filter((call) => call.params['callback_query_id'] === id)).toEqual([]);

    proxy.restore();
    await eventually(async () => expect((await post(update)).status).toBe(200), 20_000, 250);
    expect((await post(update)).status).toBe(200);
    expect((await storedTaps()).filter((stored) => stored === id)).toEqual([id]);
  });
});

import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { APP_CONFIG, loadConfig } from '@tgg/config';
import { orderKeyString } from '@tgg/chat-turns';
import { TelegramUpdate, chatIdOf, type GenesysMessageReadyV1, type OrderKey } from '@tgg/contracts';
import { QueueName } from '@tgg/queues';
import { aTextUpdate, redisUrl, testQueuePrefix } from '@tgg/testing';
import { INBOUND_TURNS, OUTBOUND_TURNS, chatTurnsProviders, type InboundTurns } from './chat-turns.providers.js';
import { LOGGER, WORKER_REDIS } from './tokens.js';

describe('chatTurnsProviders (real Redis)', () => {
  const prefix = testQueuePrefix();
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const config = loadConfig({ REDIS_URL: redisUrl(), QUEUE_PREFIX: prefix, DEAD_LETTER_KEEP: '100' });

  async function contextWith(pipeline: 'inbound' | 'outbound'): Promise<INestApplicationContext> {
    @Module({
      providers: [
        { provide: WORKER_REDIS, useValue: redis },
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: pino({ level: 'silent' }) },
        ...chatTurnsProviders(pipeline),
      ],
    })
    class TurnsModule {}
    return NestFactory.createApplicationContext(TurnsModule, { logger: false });
  }

  afterAll(async () => {
    const queue = new Queue(QueueName.GenesysInbound, { connection: redis, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('builds the inbound turns on genesys-inbound in namespace "seq", with the dead-letter bound, and closes its queue', async () => {
    const context = await contextWith('inbound');
    const turns = context.get<InboundTurns>(INBOUND_TURNS);
    const update = aTextUpdate({ updateId: 1, chatId: 7000000001, messageId: 5 });
    const message = TelegramUpdate.parse(update).message;
    if (!message) throw new Error('the fixture is a message update');
    const orderKey: OrderKey = orderKeyString(message.message_id, message.date);
    const item: GenesysMessageReadyV1 & { orderKey: OrderKey } = { channel: 'default', chatId: chatIdOf(7000000001), updateId: 1, orderKey, item: { kind: 'message', message }, receivedAtMs: 0, trace: {} };
    expect(await turns.accept(item, { windowMs: 0 })).toBe('held'); // window 0: handed out at once

    const queue = new Queue(QueueName.GenesysInbound, { connection: redis, prefix });
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.map((job) => [job.name, job.data.orderKey])).toEqual([['genesys-message-ready.v1', orderKey]]);
    expect(jobs[0]?.opts.removeOnFail).toEqual({ count: 100 }); // DEAD_LETTER_KEEP
    expect((await redis.keys(`${prefix}:seq:*`)).length).toBeGreaterThan(0);
    await queue.close();
    await context.close(); // closes the turns' queue; the shared connection stays open
    expect(redis.status).toBe('ready');
  });

  it('builds the outbound turns under their own token', async () => {
    const context = await contextWith('outbound');
    expect(context.get(OUTBOUND_TURNS)).toBeDefined();
    expect(() => context.get(INBOUND_TURNS)).toThrow();
    await context.close();
  });
});

import { Redis } from 'ioredis';
import type { TelegramReplyReadyV1 } from '@tgg/contracts';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { QueueName } from '../queue-names.js';
import { ChatTurnStore, REPLAY_HOLD_MS } from './chat-turn-store.js';
import { createChatTurnMachinery, createTurnMachinery, type ChatTurnMachinery } from './turn-machinery.js';
import { turnJobId } from './turn-scheduler.js';

function aReplyTurn(chatId: string, orderKey: string, text: string): TelegramReplyReadyV1 {
  return {
    channel: 'default',
    chatId,
    orderKey,
    reply: { id: `g-${orderKey}`, channel: { to: { id: chatId } }, type: 'Text', text },
    receivedAtMs: 0,
    trace: {},
  };
}

describe('per-chat turn machinery for other queues (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let replies: ChatTurnMachinery<'telegram-reply-ready.v1'>;
  const corrupt: string[] = [];

  beforeAll(() => {
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
    corrupt.length = 0;
    replies = createChatTurnMachinery(
      redis,
      { queuePrefix: prefix, queueName: QueueName.TelegramSends, jobName: 'telegram-reply-ready.v1', deadLetterKeep: 100, namespace: 'out', inflightRecheckMs: 1000 },
      (chatRef, orderKey) => corrupt.push(`${chatRef}/${orderKey}`),
    );
  });
  afterEach(async () => {
    await replies.queue.obliterate({ force: true });
    await replies.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('keeps namespaces apart: the same chat and key live separately in "seq" and "out"', async () => {
    const inbound = new ChatTurnStore(redis, prefix);
    const chat = ChatTurnStore.chatRef('default', '42');
    expect(await inbound.accept(chat, 'k1', 'inbound item', 0, 0)).toBe('held');
    expect(await replies.store.accept(chat, 'k1', 'outbound item', 0, 0)).toBe('held');
    expect(await inbound.advance(chat, 1)).toMatchObject({ itemJson: 'inbound item' });
    expect(await replies.store.advance(chat, 1)).toMatchObject({ itemJson: 'outbound item' });
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.some((key) => key.startsWith(`${prefix}:seq:{${chat}}`))).toBe(true);
    expect(keys.some((key) => key.startsWith(`${prefix}:out:{${chat}}`))).toBe(true);
  });

  it('puts each new turn on its own queue under its job name, one per chat at a time', async () => {
    const chat = ChatTurnStore.chatRef('default', '7000000001');
    for (const [key, text] of [['002', 'second'], ['001', 'first']] as const) {
      await replies.store.accept(chat, key, JSON.stringify(aReplyTurn('7000000001', key, text)), 0, 0);
    }
    await replies.scheduler.advance(chat, 1, { recheck: false });
    await replies.scheduler.advance(chat, 2, { recheck: false });
    const jobs = await replies.queue.getJobs(['waiting']);
    expect(jobs.map((job) => [job.name, job.id, (job.data).reply.text])).toEqual([
      ['telegram-reply-ready.v1', turnJobId({ channel: 'default', chatId: '7000000001', orderKey: '001' }), 'first'],
    ]);
    expect(jobs[0]?.opts.removeOnFail).toEqual({ count: 100 }); // the machinery's DEAD_LETTER_KEEP
  });

  it('re-adds a lost job on recheck, after its own recheck interval', async () => {
    const chat = ChatTurnStore.chatRef('default', '5');
    await replies.store.accept(chat, '001', JSON.stringify(aReplyTurn('5', '001', 'lost')), 0, 0);
    await replies.scheduler.advance(chat, 10, { recheck: false });
    await replies.queue.obliterate({ force: true }); // the job vanished (a crash between "turn taken" and "job added")
    expect(await replies.store.dueChats(10 + 999)).toEqual([]);
    expect(await replies.store.dueChats(10 + 1000)).toEqual([chat]);
    await replies.scheduler.advance(chat, 1010, { recheck: true });
    expect((await replies.queue.getJobs(['waiting'])).map((job) => (job.data).reply.text)).toEqual(['lost']);
  });

  it('skips an item that is not this queue\'s payload and hands out the next', async () => {
    const chat = ChatTurnStore.chatRef('default', '6');
    await replies.store.accept(chat, '001', JSON.stringify({ not: 'a reply' }), 0, 0);
    await replies.store.accept(chat, '002', JSON.stringify(aReplyTurn('6', '002', 'fine')), 0, 0);
    await replies.scheduler.advance(chat, 1, { recheck: false });
    expect(corrupt).toEqual([`${chat}/001`]);
    expect((await replies.queue.getJobs(['waiting'])).map((job) => (job.data).reply.text)).toEqual(['fine']);
  });

  it('puts replayed dead letters back in their chat\'s line, in key order after the turn in flight, under new job ids', async () => {
    const chat = ChatTurnStore.chatRef('default', '8');
    const first = aReplyTurn('8', '001', 'reply 1');
    const second = aReplyTurn('8', '002', 'reply 2');
    const third = aReplyTurn('8', '003', 'reply 3');
    // 001 and 002 were dead-lettered (their turns ended); 003 is now the chat's turn in flight.
    await replies.store.accept(chat, '003', JSON.stringify(third), 0, 0);
    await replies.scheduler.advance(chat, 1, { recheck: false });
    expect(await replies.scheduler.claimTurn(third, turnJobId(third), 2)).toBe('turn');
    // The operator replays both, newest first: neither holds the turn, both go back in line.
    expect(await replies.scheduler.claimTurn(second, turnJobId(second), 3)).toBe('requeued');
    expect(await replies.scheduler.claimTurn(first, turnJobId(first), 4)).toBe('requeued');
    await replies.store.finish(chat, '003', 5);
    await replies.scheduler.advance(chat, 5, { recheck: false });
    expect((await replies.queue.getJobs(['waiting'])).map((job) => job.id)).toEqual([turnJobId(third)]);

    // After the replay hold: 001 first (key order), as a new job; a second replay of 001 meanwhile is a stray copy.
    await replies.scheduler.advance(chat, 4 + REPLAY_HOLD_MS, { recheck: false });
    const replayedFirst = { ...first, replay: 1 };
    expect(turnJobId(replayedFirst)).toBe(`${turnJobId(first)}.r1`);
    expect((await replies.queue.getJob(turnJobId(replayedFirst)))?.data).toEqual(replayedFirst);
    expect(await replies.scheduler.claimTurn(first, turnJobId(first), 5 + REPLAY_HOLD_MS)).toBe('stray');
    expect(await replies.scheduler.claimTurn(replayedFirst, turnJobId(replayedFirst), 6 + REPLAY_HOLD_MS)).toBe('turn');
    await replies.store.finish(chat, '001', 7 + REPLAY_HOLD_MS);
    expect((await replies.store.advance(chat, 8 + REPLAY_HOLD_MS))?.orderKey).toBe('002');
  });

  it('still builds the inbound machinery on genesys-inbound in namespace "seq"', async () => {
    const inbound = createTurnMachinery(redis, { queuePrefix: prefix, deadLetterKeep: 100, workerLockMs: 3000 }, () => undefined);
    try {
      expect(inbound.queue.name).toBe(QueueName.GenesysInbound);
      const chat = ChatTurnStore.chatRef('default', '9');
      await inbound.store.accept(chat, 'k', 'x', 0, 0);
      expect((await redis.keys(`${prefix}:seq:*`)).length).toBeGreaterThan(0);
    } finally {
      await inbound.queue.obliterate({ force: true });
      await inbound.close();
    }
  });
});

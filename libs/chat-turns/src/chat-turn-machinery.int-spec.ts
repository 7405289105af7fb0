import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { ChatId, JOB_SCHEMAS, chatIdOf, type JobData, type OrderKey, type TelegramReplyReadyV1 } from '@tgg/contracts';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { ChatTurnStore, REPLAY_HOLD_MS } from './chat-turn-store.js';
import { chatRefOf } from './ids.js';
import { createChatTurns, type ChatTurns } from './chat-turns.js';
import { TurnScheduler, turnJobId, type TurnProducer } from './turn-scheduler.js';

type ReplyJob = 'telegram-reply-ready.v1';

const k = (text: string) => text as OrderKey; // short keys: any fixed-width string orders the same way

/** What @tgg/queues' TypedProducer does, written out here: this lib may not import that adapter. */
class SpecProducer implements TurnProducer<ReplyJob> {
  constructor(
    private readonly queue: Queue,
    private readonly baseOptions: JobsOptions,
  ) {}
  async add(data: JobData<ReplyJob>, options: { jobId: string }): Promise<void> {
    await this.queue.add('telegram-reply-ready.v1', JOB_SCHEMAS['telegram-reply-ready.v1'].parse(data), { ...this.baseOptions, ...options });
  }
  parse(value: unknown): JobData<ReplyJob> | undefined {
    const result = JOB_SCHEMAS['telegram-reply-ready.v1'].safeParse(value);
    return result.success ? result.data : undefined;
  }
}

interface ReplyTurns {
  queue: Queue;
  store: ChatTurnStore;
  scheduler: TurnScheduler<ReplyJob>;
}

function aReplyTurn(chatId: string, orderKey: string, text: string): TelegramReplyReadyV1 & { orderKey: OrderKey } {
  return {
    channel: 'default',
    chatId: ChatId.parse(chatId),
    orderKey: orderKey as OrderKey,
    reply: { id: `g-${orderKey}`, channel: { to: { id: chatId } }, type: 'Text', text },
    receivedAtMs: 0,
    trace: {},
  };
}

describe('per-chat turn machinery for other queues (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let replies: ReplyTurns;
  const corrupt: string[] = [];

  beforeAll(() => {
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
    corrupt.length = 0;
    const queue = new Queue('telegram-sends', { connection: redis, prefix });
    const store = new ChatTurnStore(redis, prefix, { namespace: 'out', inflightRecheckMs: 1000 });
    const scheduler = new TurnScheduler<ReplyJob>(store, new SpecProducer(queue, { removeOnFail: { count: 100 } }), queue, (chatRef, orderKey) => corrupt.push(`${chatRef}/${orderKey}`));
    replies = { queue, store, scheduler };
  });
  afterEach(async () => {
    await replies.queue.obliterate({ force: true });
    await replies.queue.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('keeps namespaces apart: the same chat and key live separately in "seq" and "out"', async () => {
    const inbound = new ChatTurnStore(redis, prefix);
    const chat = chatRefOf('default', chatIdOf(42));
    expect(await inbound.accept(chat, k('k1'), 'inbound item', 0, 0)).toBe('held');
    expect(await replies.store.accept(chat, k('k1'), 'outbound item', 0, 0)).toBe('held');
    expect(await inbound.advance(chat, 1)).toMatchObject({ itemJson: 'inbound item' });
    expect(await replies.store.advance(chat, 1)).toMatchObject({ itemJson: 'outbound item' });
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.some((key) => key.startsWith(`${prefix}:seq:{${chat}}`))).toBe(true);
    expect(keys.some((key) => key.startsWith(`${prefix}:out:{${chat}}`))).toBe(true);
  });

  it('puts each new turn on its own queue under its job name, one per chat at a time', async () => {
    const chat = chatRefOf('default', chatIdOf(7000000001));
    for (const [key, text] of [['002', 'second'], ['001', 'first']] as const) {
      await replies.store.accept(chat, k(key), JSON.stringify(aReplyTurn('7000000001', key, text)), 0, 0);
    }
    await replies.scheduler.advance(chat, 1, { recheck: false });
    await replies.scheduler.advance(chat, 2, { recheck: false });
    const jobs = await replies.queue.getJobs(['waiting']);
    expect(jobs.map((job) => [job.name, job.id, (job.data).reply.text])).toEqual([
      ['telegram-reply-ready.v1', turnJobId({ channel: 'default', chatId: chatIdOf(7000000001), orderKey: k('001') }), 'first'],
    ]);
    expect(jobs[0]?.opts.removeOnFail).toEqual({ count: 100 }); // the producer's options (DEAD_LETTER_KEEP in the services)
  });

  it('re-adds a lost job on recheck, after its own recheck interval', async () => {
    const chat = chatRefOf('default', chatIdOf(5));
    await replies.store.accept(chat, k('001'), JSON.stringify(aReplyTurn('5', '001', 'lost')), 0, 0);
    await replies.scheduler.advance(chat, 10, { recheck: false });
    await replies.queue.obliterate({ force: true }); // the job vanished (a crash between "turn taken" and "job added")
    expect(await replies.store.dueChats(10 + 999)).toEqual([]);
    expect(await replies.store.dueChats(10 + 1000)).toEqual([chat]);
    await replies.scheduler.advance(chat, 1010, { recheck: true });
    expect((await replies.queue.getJobs(['waiting'])).map((job) => (job.data).reply.text)).toEqual(['lost']);
  });

  it('skips an item that is not this queue\'s payload and hands out the next', async () => {
    const chat = chatRefOf('default', chatIdOf(6));
    await replies.store.accept(chat, k('001'), JSON.stringify({ not: 'a reply' }), 0, 0);
    await replies.store.accept(chat, k('002'), JSON.stringify(aReplyTurn('6', '002', 'fine')), 0, 0);
    await replies.scheduler.advance(chat, 1, { recheck: false });
    expect(corrupt).toEqual([`${chat}/001`]);
    expect((await replies.queue.getJobs(['waiting'])).map((job) => (job.data).reply.text)).toEqual(['fine']);
  });

  it('puts replayed dead letters back in their chat\'s line, in key order after the turn in flight, under new job ids', async () => {
    const chat = chatRefOf('default', chatIdOf(8));
    const first = aReplyTurn('8', '001', 'reply 1');
    const second = aReplyTurn('8', '002', 'reply 2');
    const third = aReplyTurn('8', '003', 'reply 3');
    // 001 and 002 were dead-lettered (their turns ended); 003 is now the chat's turn in flight.
    await replies.store.accept(chat, k('003'), JSON.stringify(third), 0, 0);
    await replies.scheduler.advance(chat, 1, { recheck: false });
    expect(await replies.scheduler.claimTurn(third, turnJobId(third), 2)).toBe('turn');
    // The operator replays both (`dlq replay` sends the oldest first, but parallel workers may run them in
    // any order; here 002 first): neither holds the turn, both go back in line.
    expect(await replies.scheduler.claimTurn(second, turnJobId(second), 3)).toBe('requeued');
    expect(await replies.scheduler.claimTurn(first, turnJobId(first), 4)).toBe('requeued');
    await replies.store.finish(chat, k('003'), 5);
    await replies.scheduler.advance(chat, 5, { recheck: false });
    expect((await replies.queue.getJobs(['waiting'])).map((job) => job.id)).toEqual([turnJobId(third)]);

    // After the replay hold: 001 first (key order), as a new job; a second replay of 001 meanwhile is a stray copy.
    await replies.scheduler.advance(chat, 4 + REPLAY_HOLD_MS, { recheck: false });
    const replayedFirst = { ...first, replay: 1 };
    expect(turnJobId(replayedFirst)).toBe(`${turnJobId(first)}.r1`);
    expect((await replies.queue.getJob(turnJobId(replayedFirst)))?.data).toEqual(replayedFirst);
    expect(await replies.scheduler.claimTurn(first, turnJobId(first), 5 + REPLAY_HOLD_MS)).toBe('stray');
    expect(await replies.scheduler.claimTurn(replayedFirst, turnJobId(replayedFirst), 6 + REPLAY_HOLD_MS)).toBe('turn');
    await replies.store.finish(chat, k('001'), 7 + REPLAY_HOLD_MS);
    expect((await replies.store.advance(chat, 8 + REPLAY_HOLD_MS))?.orderKey).toBe('002');
  });

  describe('ChatTurns, the interface the apps use', () => {
    let turns: ChatTurns<ReplyJob>;
    const logged: string[] = [];

    beforeEach(() => {
      logged.length = 0;
      const log = { info: (_details: object, message: string) => logged.push(message), error: (_details: object, message: string) => logged.push(message) };
      turns = createChatTurns(redis, { pipeline: 'outbound', queue: replies.queue, producer: new SpecProducer(replies.queue, {}), queuePrefix: prefix, log });
    });

    const waitingTexts = async () => (await replies.queue.getJobs(['waiting'])).map((job) => (job.data as TelegramReplyReadyV1).reply.text);

    it('hands out an item at once with window 0, the next only after finishTurn', async () => {
      const first = aReplyTurn('10', '001', 'first');
      const second = aReplyTurn('10', '002', 'second');
      expect(await turns.accept(first, { windowMs: 0, incomingId: 'g-001' })).toBe('held');
      expect(await turns.accept(second, { windowMs: 0, incomingId: 'g-002' })).toBe('held');
      expect(await waitingTexts()).toEqual(['first']);
      expect(await turns.takeTurn(first, turnJobId(first))).toBe('turn');
      await turns.finishTurn(first);
      expect((await waitingTexts()).sort()).toEqual(['first', 'second']);
      expect(logged).toEqual([]);
    });

    it('holds an item for its window and leaves the rest to the sweeper', async () => {
      const held = aReplyTurn('11', '001', 'held');
      expect(await turns.accept(held, { windowMs: 60_000 })).toBe('held');
      expect(await waitingTexts()).toEqual([]);
    });

    it('rechecks on a duplicate with window 0 (an intake re-run after a crash lost the job)', async () => {
      const lost = aReplyTurn('12', '001', 'lost');
      await turns.accept(lost, { windowMs: 0 });
      await replies.queue.obliterate({ force: true }); // the turn was taken, its job never stored
      expect(await turns.accept(lost, { windowMs: 0, nowMs: Date.now() + 60_000 })).toBe('duplicate');
      expect(await waitingTexts()).toEqual(['lost']);
    });

    it('says and logs, once for every pipeline, when a replayed item goes back in line', async () => {
      const inFlight = aReplyTurn('13', '002', 'in flight');
      const replayed = aReplyTurn('13', '001', 'replayed');
      await turns.accept(inFlight, { windowMs: 0 });
      expect(await turns.takeTurn(replayed, turnJobId(replayed))).toBe('requeued');
      expect(logged).toEqual(["replayed reply queued for its chat's turn"]);
    });

    it('puts an item that takes no turn straight on the queue', async () => {
      await turns.sendWithoutTurn(aReplyTurn('14', '001', 'no turn'), 'no-turn-job');
      expect((await replies.queue.getJob('no-turn-job'))?.data.reply.text).toBe('no turn');
    });
  });
});

import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@tgg/testing';
import { ChannelRepository } from './channel.repository.js';
import { purgeExpiredBodies, retentionCutoffMs } from './message-retention.js';
import { MessageRepository } from './message.repository.js';
import { createPrismaClient, type PrismaClient } from './prisma.service.js';
import { SecretBox } from './secret-box.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW_MS = Date.UTC(2026, 11, 6, 12, 0, 0);

describe('message retention (real Postgres, backdated rows)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let messages: MessageRepository;
  let channelId: string;
  let nextMessageId = 1;

  /** A logged inbound message created `ageDays` before NOW_MS. */
  async function loggedMessage(ageDays: number, options: { withoutBody?: boolean } = {}): Promise<string> {
    const messageId = nextMessageId++;
    const body = options.withoutBody ? undefined : `body ${messageId}`;
    const row = await messages.claimInbound({ channelId, chatId: '7200000001', telegramMessageId: messageId, variant: 'm' }, messageId, body);
    await prisma.$executeRaw`UPDATE messages SET created_at = ${new Date(NOW_MS - ageDays * DAY_MS)} WHERE id = ${row.id}::uuid`;
    return row.id;
  }

  const bodiesOf = async (ids: string[]) =>
    (await prisma.message.findMany({ where: { id: { in: ids } }, select: { id: true, body: true, telegramMessageId: true } })).sort((a, b) => Number(a.telegramMessageId) - Number(b.telegramMessageId)).map((row) => row.body);

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url);
    messages = new MessageRepository(prisma);
    channelId = (await new ChannelRepository(prisma, new SecretBox(randomBytes(32))).upsert({ name: 'default', botToken: '1:a', webhookSecret: 's' })).id;
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  beforeEach(async () => {
    await prisma.message.deleteMany();
  });

  it('clears the bodies older than the retention in bounded batches, keeping the rows, their keys and younger bodies', async () => {
    const old = [];
    for (const ageDays of [31, 40, 45, 90, 365]) old.push(await loggedMessage(ageDays));
    const young = [];
    for (const ageDays of [29, 1, 0]) young.push(await loggedMessage(ageDays));
    const cutoffMs = retentionCutoffMs(NOW_MS, 30);
    expect(await messages.countBodiesOlderThan(cutoffMs)).toBe(5);

    const batches: number[] = [];
    const outcome = await purgeExpiredBodies(messages, { cutoffMs, batchSize: 2, onBatch: (purged) => batches.push(purged) });

    expect(outcome).toEqual({ purged: 5, batches: 3, complete: true });
    expect(batches).toEqual([2, 2, 1]);
    expect(await bodiesOf(old)).toEqual([null, null, null, null, null]);
    expect(await bodiesOf(young)).toEqual(['body 6', 'body 7', 'body 8']);
    // The row stays, so a late replay of the same Telegram message is still recognised.
    expect(await prisma.message.count()).toBe(8);
    expect(await messages.claimInbound({ channelId, chatId: '7200000001', telegramMessageId: 1, variant: 'm' }, 1, 'replayed')).toMatchObject({ id: old[0], attempts: 2 });
    expect(await messages.countBodiesOlderThan(cutoffMs)).toBe(0);
  });

  it('does nothing (one empty batch) when nothing has expired, and skips rows without a body', async () => {
    await loggedMessage(100, { withoutBody: true });
    await loggedMessage(2);
    expect(await purgeExpiredBodies(messages, { cutoffMs: retentionCutoffMs(NOW_MS, 30), batchSize: 10 })).toEqual({ purged: 0, batches: 1, complete: true });
  });

  it('stops starting batches after the deadline and leaves the rest to the next run', async () => {
    const old = [];
    for (const ageDays of [50, 51, 52, 53]) old.push(await loggedMessage(ageDays));
    const [youngestBody, secondBody] = (await bodiesOf(old)).slice(0, 2);
    let clockMs = NOW_MS;
    const cutoffMs = retentionCutoffMs(NOW_MS, 30);
    const first = await purgeExpiredBodies(messages, { cutoffMs, batchSize: 2, deadlineMs: NOW_MS + 1000, now: () => (clockMs += 1000) });
    expect(first).toEqual({ purged: 2, batches: 1, complete: false });
    expect(await messages.countBodiesOlderThan(cutoffMs)).toBe(2);
    // Oldest (53 and 52 days) first.
    expect(await bodiesOf(old)).toEqual([youngestBody, secondBody, null, null]);
    expect(youngestBody).toMatch(/^body \d+$/);
    expect(await purgeExpiredBodies(messages, { cutoffMs, batchSize: 2 })).toEqual({ purged: 2, batches: 2, complete: true });
  });
});

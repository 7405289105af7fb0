import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@tgg/testing';
import { ChannelRepository } from './channel.repository.js';
import { ConversationRepository, memberEventAtMs } from './conversation.repository.js';
import { createPrismaClient, type PrismaClient } from './prisma.service.js';
import { SecretBox } from './secret-box.js';

describe('block state of a conversation: applied in event order, whatever the arrival order', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let conversations: ConversationRepository;
  let channelId: string;
  let nextChatId = 7_100_000_000;
  const T = 1_780_000_000; // a Telegram `date`, seconds

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url);
    conversations = new ConversationRepository(prisma);
    channelId = (await new ChannelRepository(prisma, new SecretBox(randomBytes(32))).upsert({ name: 'blocks', botToken: '1:a', webhookSecret: 'secret' })).id;
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  const aChat = () => String(++nextChatId);
  const isBlocked = async (chatId: string) => (await conversations.find(channelId, chatId))?.blocked;

  it('keeps a newer unblock when an older "kicked" is retried after it', async () => {
    const chatId = aChat();
    expect(await conversations.setBlocked(channelId, chatId, false, memberEventAtMs(T + 60), 502)).toBe('applied');
    expect(await conversations.setBlocked(channelId, chatId, true, memberEventAtMs(T), 501)).toBe('stale');
    expect(await isBlocked(chatId)).toBe(false);
  });

  it('applies a newer "kicked" after an unblock, and an unblock after that', async () => {
    const chatId = aChat();
    await conversations.setBlocked(channelId, chatId, false, memberEventAtMs(T), 600);
    expect(await conversations.setBlocked(channelId, chatId, true, memberEventAtMs(T + 5), 601)).toBe('applied');
    expect(await isBlocked(chatId)).toBe(true);
    expect(await conversations.setBlocked(channelId, chatId, false, memberEventAtMs(T + 9), 602)).toBe('applied');
    expect(await isBlocked(chatId)).toBe(false);
  });

  it('orders two changes within the same second by update_id', async () => {
    const chatId = aChat();
    // Blocked and unblocked within one second; the unblock (later update_id) arrives first.
    await conversations.setBlocked(channelId, chatId, false, memberEventAtMs(T), 701);
    expect(await conversations.setBlocked(channelId, chatId, true, memberEventAtMs(T), 700)).toBe('stale');
    expect(await isBlocked(chatId)).toBe(false);
    // The same change delivered again is harmless.
    expect(await conversations.setBlocked(channelId, chatId, false, memberEventAtMs(T), 701)).toBe('applied');
    expect(await isBlocked(chatId)).toBe(false);
  });

  it('lets an unblock dated in the same second beat a 403 seen within that second, and a later 403 beat an older unblock', async () => {
    const raced = aChat();
    await conversations.setBlocked(channelId, raced, true, T * 1000 + 400); // send refused at T.400
    expect(await conversations.setBlocked(channelId, raced, false, memberEventAtMs(T), 800)).toBe('applied'); // unblock at T.xxx
    expect(await isBlocked(raced)).toBe(false);

    const reblocked = aChat();
    await conversations.setBlocked(channelId, reblocked, false, memberEventAtMs(T), 801);
    expect(await conversations.setBlocked(channelId, reblocked, true, (T + 30) * 1000)).toBe('applied');
    expect(await isBlocked(reblocked)).toBe(true);
  });

  it('creates the conversation on its first change and records when the bot was blocked', async () => {
    const chatId = aChat();
    expect(await conversations.find(channelId, chatId)).toBeUndefined();
    await conversations.setBlocked(channelId, chatId, true, memberEventAtMs(T), 900);
    const row = await prisma.conversation.findUniqueOrThrow({ where: { channelId_chatId: { channelId, chatId: BigInt(chatId) } } });
    expect(row).toMatchObject({ blocked: true, blockedAt: new Date(memberEventAtMs(T)), blockStateUpdateId: 900n });
  });

  it('lists the chats blocked now, most recently blocked first', async () => {
    const [older, newer, unblocked] = [aChat(), aChat(), aChat()];
    await conversations.setBlocked(channelId, older, true, memberEventAtMs(T + 1000));
    await conversations.setBlocked(channelId, newer, true, memberEventAtMs(T + 2000));
    await conversations.setBlocked(channelId, unblocked, true, memberEventAtMs(T + 3000));
    await conversations.setBlocked(channelId, unblocked, false, memberEventAtMs(T + 3001));
    const listed = (await conversations.listBlocked(1000)).filter((chat) => [older, newer, unblocked].includes(chat.chatId));
    expect(listed).toEqual([
      { channel: 'blocks', chatId: newer, blockedAt: new Date(memberEventAtMs(T + 2000)) },
      { channel: 'blocks', chatId: older, blockedAt: new Date(memberEventAtMs(T + 1000)) },
    ]);
  });
});

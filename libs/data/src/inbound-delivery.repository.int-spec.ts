import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@tgg/testing';
import { ChannelRepository } from './channel.repository.js';
import { ConversationRepository } from './conversation.repository.js';
import { InboundDeliveryRepository } from './inbound-delivery.repository.js';
import { MessageRepository } from './message.repository.js';
import { createPrismaClient, type PrismaClient } from './prisma.service.js';
import { SecretBox } from './secret-box.js';

describe('InboundDeliveryRepository (real Postgres)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url);
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it('writes the mapping and marks the message delivered in one statement, keeping a known conversation id', async () => {
    const channel = await new ChannelRepository(prisma, new SecretBox(randomBytes(32))).upsert({ name: 'default', botToken: '1:a', webhookSecret: 's' });
    const messages = new MessageRepository(prisma);
    const conversations = new ConversationRepository(prisma);
    const accepted = new InboundDeliveryRepository(prisma);
    const chatId = '7000000000001';

    const first = await messages.claimInbound({ channelId: channel.id, chatId, telegramMessageId: 1, variant: 'm' }, 10, 'hello');
    await accepted.recordAccepted({ messageRowId: first.id, channelId: channel.id, chatId, genesysConversationId: 'conv-1', genesysMessageId: 'g-1', profile: { username: 'ana_l', firstName: 'Ana' }, atMs: 1_767_225_600_000 });
    expect(await conversations.find(channel.id, chatId)).toMatchObject({ chatId, genesysConversationId: 'conv-1', blocked: false });
    expect(await prisma.message.findUnique({ where: { id: first.id } })).toMatchObject({ status: 'delivered', genesysMessageId: 'g-1' });

    // Genesys answered without a conversation id this time: the known mapping stays.
    const second = await messages.claimInbound({ channelId: channel.id, chatId, telegramMessageId: 2, variant: 'm' }, 11, 'again');
    await accepted.recordAccepted({ messageRowId: second.id, channelId: channel.id, chatId, profile: { username: 'ana_new' }, atMs: 1_767_225_700_000 });
    expect(await conversations.find(channel.id, chatId)).toMatchObject({ genesysConversationId: 'conv-1' });
    expect((await prisma.conversation.findFirst({ where: { chatId: BigInt(chatId) } }))?.username).toBe('ana_new');
    expect((await messages.claimInbound({ channelId: channel.id, chatId, telegramMessageId: 2, variant: 'm' }, 11, 'again')).status).toBe('delivered');
  });

  it('claims an inbound message once per key: a replay finds the row and counts the attempt', async () => {
    const channel = await new ChannelRepository(prisma, new SecretBox(randomBytes(32))).upsert({ name: 'claims', botToken: '1:b', webhookSecret: 's' });
    const messages = new MessageRepository(prisma);
    const key = { channelId: channel.id, chatId: '-1001234567890', telegramMessageId: 42, variant: 'm' };

    const first = await messages.claimInbound(key, 900_000_001, 'hello');
    expect(first).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'pending', attempts: 1, partsSent: 0 });
    const again = await messages.claimInbound(key, 900_000_001, 'hello');
    expect(again).toEqual({ ...first, attempts: 2 });
    const edit = await messages.claimInbound({ ...key, variant: 'e1767225600' }, 900_000_002, 'hello (edited)');
    expect(edit.id).not.toBe(first.id);

    const row = await prisma.message.findUnique({ where: { id: first.id } });
    expect(row).toMatchObject({ direction: 'inbound', chatId: -1001234567890n, telegramMessageId: 42n, telegramUpdateId: 900_000_001n, body: 'hello', attempts: 2 });
    expect(row?.updatedAt.getTime()).toBeGreaterThanOrEqual(row?.createdAt.getTime() ?? Infinity);
  });
});

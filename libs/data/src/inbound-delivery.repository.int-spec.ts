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
});

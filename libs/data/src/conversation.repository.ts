import type { PrismaClient } from './generated/prisma/client.js';

export interface CustomerProfile {
  username?: string;
  firstName?: string;
  lastName?: string;
  languageCode?: string;
}

export interface ConversationRecord {
  id: string;
  channelId: string;
  chatId: string;
  genesysConversationId: string | null;
  blocked: boolean;
}

/** The chat ↔ Genesys conversation mapping and the customer's profile. Chat ids are decimal strings outside, bigint inside. */
export class ConversationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async find(channelId: string, chatId: string): Promise<ConversationRecord | undefined> {
    const row = await this.prisma.conversation.findUnique({ where: { channelId_chatId: { channelId, chatId: BigInt(chatId) } } });
    return row ? toRecord(row) : undefined;
  }

  /** From my_chat_member (kicked/member) or a Telegram 403. */
  async setBlocked(channelId: string, chatId: string, blocked: boolean, atMs: number): Promise<void> {
    const fields = { blocked, blockedAt: blocked ? new Date(atMs) : null };
    await this.prisma.conversation.upsert({
      where: { channelId_chatId: { channelId, chatId: BigInt(chatId) } },
      create: { channelId, chatId: BigInt(chatId), ...fields },
      update: fields,
    });
  }

  async touchOutbound(channelId: string, chatId: string, atMs: number): Promise<void> {
    await this.prisma.conversation.updateMany({ where: { channelId, chatId: BigInt(chatId) }, data: { lastOutboundAt: new Date(atMs) } });
  }
}

function toRecord(row: { id: string; channelId: string; chatId: bigint; genesysConversationId: string | null; blocked: boolean }): ConversationRecord {
  return { id: row.id, channelId: row.channelId, chatId: row.chatId.toString(), genesysConversationId: row.genesysConversationId, blocked: row.blocked };
}

import type { PrismaClient } from './generated/prisma/client.js';

export interface CustomerProfile {
  username?: string;
  firstName?: string;
  lastName?: string;
  languageCode?: string;
}

/** A chat whose customer blocked the bot (or removed it): replies to it are not sent. */
export interface BlockedChat {
  channel: string;
  chatId: string;
  blockedAt: Date | null;
}

export interface ConversationRecord {
  id: string;
  channelId: string;
  chatId: string;
  genesysConversationId: string | null;
  blocked: boolean;
}

/**
 * When a my_chat_member change happened, for ordering it against others: Telegram's `date` has
 * whole seconds, so the end of that second. A 403 seen within the same second (a send that raced
 * the customer's unblock) then counts as earlier, and the unblock is not lost to it.
 */
export function memberEventAtMs(dateS: number): number {
  return dateS * 1000 + 999;
}

/** The chat ↔ Genesys conversation mapping and the customer's profile. Chat ids are decimal strings outside, bigint inside. */
export class ConversationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async find(channelId: string, chatId: string): Promise<ConversationRecord | undefined> {
    const row = await this.prisma.conversation.findUnique({ where: { channelId_chatId: { channelId, chatId: BigInt(chatId) } } });
    return row ? toRecord(row) : undefined;
  }

  /**
   * From my_chat_member (kicked/member) or a Telegram 403, applied in the order the changes
   * happened, not the order they arrive: my_chat_member updates take no per-chat turn and a failed
   * one is retried later, so an old "kicked" can come after a newer unblock. `atMs` is when the
   * change happened (for my_chat_member: memberEventAtMs(date)); `updateId` orders two Telegram
   * changes of the same second. A change older than the stored one is ignored: returns 'stale'.
   */
  async setBlocked(channelId: string, chatId: string, blocked: boolean, atMs: number, updateId?: number): Promise<'applied' | 'stale'> {
    const at = new Date(atMs);
    const changeUpdateId = updateId === undefined ? null : BigInt(updateId);
    // One statement, so two changes racing on the same chat are ordered by Postgres' row lock.
    const rows = await this.prisma.$executeRaw`
      INSERT INTO "conversations" ("id", "channel_id", "chat_id", "blocked", "blocked_at", "block_state_at", "block_state_update_id", "created_at", "updated_at")
      VALUES (gen_random_uuid(), ${channelId}::uuid, ${BigInt(chatId)}, ${blocked}, ${blocked ? at : null}, ${at}, ${changeUpdateId}, now(), now())
      ON CONFLICT ("channel_id", "chat_id") DO UPDATE SET
        "blocked" = EXCLUDED."blocked",
        "blocked_at" = EXCLUDED."blocked_at",
        "block_state_at" = EXCLUDED."block_state_at",
        "block_state_update_id" = EXCLUDED."block_state_update_id",
        "updated_at" = now()
      WHERE "conversations"."block_state_at" IS NULL
        OR EXCLUDED."block_state_at" > "conversations"."block_state_at"
        OR (EXCLUDED."block_state_at" = "conversations"."block_state_at"
          AND (EXCLUDED."block_state_update_id" IS NULL OR "conversations"."block_state_update_id" IS NULL
            OR EXCLUDED."block_state_update_id" >= "conversations"."block_state_update_id"))`;
    return rows > 0 ? 'applied' : 'stale';
  }

  /** Read-only, for operators: chats blocked now, the most recently blocked first. */
  async listBlocked(limit = 100): Promise<BlockedChat[]> {
    const rows = await this.prisma.conversation.findMany({
      where: { blocked: true },
      orderBy: [{ blockedAt: { sort: 'desc', nulls: 'last' } }, { chatId: 'asc' }],
      take: limit,
      select: { chatId: true, blockedAt: true, channel: { select: { name: true } } },
    });
    return rows.map((row) => ({ channel: row.channel.name, chatId: row.chatId.toString(), blockedAt: row.blockedAt }));
  }

  async touchOutbound(channelId: string, chatId: string, atMs: number): Promise<void> {
    await this.prisma.conversation.updateMany({ where: { channelId, chatId: BigInt(chatId) }, data: { lastOutboundAt: new Date(atMs) } });
  }
}

function toRecord(row: { id: string; channelId: string; chatId: bigint; genesysConversationId: string | null; blocked: boolean }): ConversationRecord {
  return { id: row.id, channelId: row.channelId, chatId: row.chatId.toString(), genesysConversationId: row.genesysConversationId, blocked: row.blocked };
}

import type { PrismaClient } from './generated/prisma/client.js';
import type { CustomerProfile } from './conversation.repository.js';

export interface AcceptedInbound {
  messageRowId: string;
  channelId: string;
  chatId: string;
  genesysConversationId?: string;
  genesysMessageId?: string;
  profile: CustomerProfile;
  atMs: number;
}

/**
 * What follows Genesys accepting a customer message — the chat ↔ conversation mapping and profile
 * upserted, the message log row marked delivered — as ONE statement. It runs once per inbound
 * message; the profile showed the dispatcher spending a quarter of its CPU in the Prisma client,
 * and two model calls here cost twice the client work and two round trips (docs/performance.md).
 */
export class InboundDeliveryRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async recordAccepted(accepted: AcceptedInbound): Promise<void> {
    const at = new Date(accepted.atMs);
    const { profile } = accepted;
    await this.prisma.$executeRaw`
      WITH conversation AS (
        INSERT INTO "conversations" ("id", "channel_id", "chat_id", "genesys_conversation_id", "username", "first_name", "last_name", "language_code", "last_inbound_at", "created_at", "updated_at")
        VALUES (gen_random_uuid(), ${accepted.channelId}::uuid, ${BigInt(accepted.chatId)}, ${accepted.genesysConversationId ?? null}, ${profile.username ?? null}, ${profile.firstName ?? null}, ${profile.lastName ?? null}, ${profile.languageCode ?? null}, ${at}, now(), now())
        ON CONFLICT ("channel_id", "chat_id") DO UPDATE SET
          "genesys_conversation_id" = COALESCE(EXCLUDED."genesys_conversation_id", "conversations"."genesys_conversation_id"),
          "username" = EXCLUDED."username",
          "first_name" = EXCLUDED."first_name",
          "last_name" = EXCLUDED."last_name",
          "language_code" = EXCLUDED."language_code",
          "last_inbound_at" = EXCLUDED."last_inbound_at",
          "updated_at" = now()
        RETURNING "id"
      )
      UPDATE "messages" SET
        "status" = 'delivered'::"MessageStatus",
        "delivered_at" = ${at},
        "last_error" = NULL,
        "genesys_message_id" = COALESCE(${accepted.genesysMessageId ?? null}, "genesys_message_id"),
        "updated_at" = now()
      WHERE "id" = ${accepted.messageRowId}::uuid AND EXISTS (SELECT 1 FROM conversation)`;
  }
}

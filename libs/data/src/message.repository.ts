import type { MessageStatus, PrismaClient } from './generated/prisma/client.js';

export interface InboundKey {
  channelId: string;
  chatId: string;
  telegramMessageId: number;
  /** "m" for the message itself, "e<edit_date>" for an edit. */
  variant: string;
}

export interface MessageState {
  id: string;
  status: MessageStatus;
  attempts: number;
  partsSent: number;
}

/**
 * The message log. Its unique keys are the last guard of exactly-once: BullMQ forgets a job id once
 * the job is removed, the database does not.
 */
export class MessageRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Records an attempt to forward an inbound message; a replay finds the existing row (and its status).
   * Raw SQL on purpose: it runs once per inbound message, and the model call's upsert cost the
   * dispatcher more CPU in the Prisma client than the statement costs Postgres (docs/performance.md).
   */
  async claimInbound(key: InboundKey, telegramUpdateId: number, body: string | undefined): Promise<MessageState> {
    const rows = await this.prisma.$queryRaw<MessageState[]>`
      INSERT INTO "messages" ("id", "direction", "channel_id", "chat_id", "telegram_message_id", "variant", "telegram_update_id", "body", "attempts", "created_at", "updated_at")
      VALUES (gen_random_uuid(), 'inbound'::"MessageDirection", ${key.channelId}::uuid, ${BigInt(key.chatId)}, ${BigInt(key.telegramMessageId)}, ${key.variant}, ${BigInt(telegramUpdateId)}, ${body ?? null}, 1, now(), now())
      ON CONFLICT ("channel_id", "chat_id", "telegram_message_id", "variant") DO UPDATE SET "attempts" = "messages"."attempts" + 1, "updated_at" = now()
      RETURNING "id"::text AS "id", "status"::text AS "status", "attempts", "parts_sent" AS "partsSent"`;
    const row = rows[0];
    if (!row) throw new Error('claiming the inbound message returned no row');
    return row;
  }

  /** Records an outbound (agent) message by its Genesys id; a redelivered webhook finds the existing row. */
  async claimOutbound(channelId: string, chatId: string, genesysMessageId: string, body: string | undefined): Promise<MessageState> {
    return this.prisma.message.upsert({
      where: { genesysMessageId },
      create: { direction: 'outbound', channelId, chatId: BigInt(chatId), variant: 'o', genesysMessageId, body: body ?? null, attempts: 1 },
      update: { attempts: { increment: 1 } },
      select: { id: true, status: true, attempts: true, partsSent: true },
    });
  }

  async markDelivered(id: string, atMs: number, ids: { genesysMessageId?: string; telegramMessageId?: number } = {}): Promise<void> {
    await this.prisma.message.update({
      where: { id },
      data: {
        status: 'delivered',
        deliveredAt: new Date(atMs),
        lastError: null,
        ...(ids.genesysMessageId ? { genesysMessageId: ids.genesysMessageId } : {}),
        ...(ids.telegramMessageId !== undefined ? { telegramMessageId: BigInt(ids.telegramMessageId) } : {}),
      },
    });
  }

  /** Outbound text split into parts: remember progress so a restart resumes after the last part sent. */
  async recordPartSent(id: string, partsSent: number, telegramMessageId: number): Promise<void> {
    await this.prisma.message.update({ where: { id }, data: { partsSent, ...(partsSent === 1 ? { telegramMessageId: BigInt(telegramMessageId) } : {}) } });
  }

  async recordError(id: string, error: string): Promise<void> {
    await this.prisma.message.update({ where: { id }, data: { lastError: error.slice(0, 2000) } });
  }

  async markFinal(id: string, status: Extract<MessageStatus, 'failed' | 'dead_lettered'>, error: string): Promise<void> {
    await this.prisma.message.update({ where: { id }, data: { status, lastError: error.slice(0, 2000) } });
  }

  /**
   * Retention (MESSAGE_RETENTION_DAYS): clears the bodies of at most `limit` messages created before
   * the cutoff, oldest first; the keys that make replays harmless stay. One bounded statement keeps
   * row locks short next to live traffic; SKIP LOCKED lets two runs (or a run and a hot row) pass
   * each other instead of waiting. Uses the created_at index.
   */
  async purgeBodiesBatch(cutoffMs: number, limit: number): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE messages SET body = NULL
      WHERE id IN (
        SELECT id FROM messages
        WHERE created_at < ${new Date(cutoffMs)} AND body IS NOT NULL
        ORDER BY created_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )`;
  }

  /** How many bodies a purge with this cutoff would clear (`messages purge --dry-run`). */
  async countBodiesOlderThan(cutoffMs: number): Promise<number> {
    return this.prisma.message.count({ where: { createdAt: { lt: new Date(cutoffMs) }, body: { not: null } } });
  }
}

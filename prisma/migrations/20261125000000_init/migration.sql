-- CreateEnum
CREATE TYPE "MessageDirection" AS ENUM ('inbound', 'outbound');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('pending', 'delivered', 'failed', 'dead_lettered');

-- CreateTable
CREATE TABLE "channels" (
    "id" UUID NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "bot_token_enc" TEXT NOT NULL,
    "telegram_secret_enc" TEXT NOT NULL,
    "genesys_integration_id" VARCHAR(64),
    "genesys_webhook_secret_enc" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversations" (
    "id" UUID NOT NULL,
    "channel_id" UUID NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "genesys_conversation_id" VARCHAR(64),
    "username" VARCHAR(64),
    "first_name" VARCHAR(256),
    "last_name" VARCHAR(256),
    "language_code" VARCHAR(16),
    "blocked" BOOLEAN NOT NULL DEFAULT false,
    "blocked_at" TIMESTAMPTZ(3),
    "last_inbound_at" TIMESTAMPTZ(3),
    "last_outbound_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "conversations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" UUID NOT NULL,
    "direction" "MessageDirection" NOT NULL,
    "channel_id" UUID NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "variant" VARCHAR(24) NOT NULL DEFAULT 'm',
    "telegram_update_id" BIGINT,
    "telegram_message_id" BIGINT,
    "genesys_message_id" VARCHAR(64),
    "status" "MessageStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "parts_sent" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "body" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "channels_name_key" ON "channels"("name");

-- CreateIndex
CREATE INDEX "conversations_genesys_conversation_id_idx" ON "conversations"("genesys_conversation_id");

-- CreateIndex
CREATE UNIQUE INDEX "conversations_channel_id_chat_id_key" ON "conversations"("channel_id", "chat_id");

-- CreateIndex
CREATE UNIQUE INDEX "messages_genesys_message_id_key" ON "messages"("genesys_message_id");

-- CreateIndex
CREATE INDEX "messages_created_at_idx" ON "messages"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "messages_channel_id_chat_id_telegram_message_id_variant_key" ON "messages"("channel_id", "chat_id", "telegram_message_id", "variant");

-- AddForeignKey
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

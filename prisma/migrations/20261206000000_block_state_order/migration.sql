-- Block/unblock apply in event order: the time (and Telegram update_id) of the change that set
-- "blocked" is kept, and an older change (a retried my_chat_member) no longer overwrites a newer one.
-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "block_state_at" TIMESTAMPTZ(3),
ADD COLUMN     "block_state_update_id" BIGINT;

-- Existing blocks keep their time; rows never blocked take any first change.
UPDATE "conversations" SET "block_state_at" = "blocked_at" WHERE "blocked_at" IS NOT NULL;

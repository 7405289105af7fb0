export { createPrismaClient, isUniqueViolation, type PrismaClient } from './prisma.service.js';
export { ChannelRepository, type ChannelRecord, type ChannelInput, type ChannelListing, type UnreadableChannel } from './channel.repository.js';
export { ConversationRepository, memberEventAtMs, type ConversationRecord, type CustomerProfile } from './conversation.repository.js';
export { MessageRepository, type InboundKey, type MessageState } from './message.repository.js';
export { ChannelDirectory, ChannelUnavailableError, type ChannelDirectoryOptions } from './channel-directory.js';
export { DataModule, PRISMA } from './data.module.js';
export { SecretBox, parseEncryptionKey as parseSecretBoxKey } from './secret-box.js';
export { applyMigrations, ensureDatabaseExists, readMigrations, MigrationError } from './migrations/migration-applier.js';
export { InboundDeliveryRepository, type AcceptedInbound } from './inbound-delivery.repository.js';

import path from 'node:path';
import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { ChannelDirectory } from './channel-directory.js';
import { ChannelRepository, type UnreadableChannel } from './channel.repository.js';
import { ConversationRepository } from './conversation.repository.js';
import type { PrismaClient } from './generated/prisma/client.js';
import { InboundDeliveryRepository } from './inbound-delivery.repository.js';
import { MessageRepository } from './message.repository.js';
import { createPrismaClient } from './prisma.service.js';
import { SecretBox } from './secret-box.js';
import { waitForSchema } from './migrations/schema-wait.js';

export const PRISMA = Symbol('PRISMA');

const CHANNEL_REFRESH_MS = 30_000;

/** Closes the pool on shutdown and writes the env-defined `default` channel at start (SPEC §3). */
@Injectable()
class DataLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('data');
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(ChannelDirectory) private readonly directory: ChannelDirectory,
  ) {}

  async onModuleInit(): Promise<void> {
    // Started before the migrations ran (Kubernetes, compose, a manual start): wait, do not crash-loop.
    await waitForSchema(this.config.db.url, path.resolve('prisma/migrations'), { onWaiting: (line) => this.logger.warn(line) });
    if (this.config.previousEncryptionKeys.length > 0) {
      const changed = await this.channels.reencryptUnderCurrentKey();
      if (changed > 0) this.logger.log(`re-encrypted the secrets of ${changed} channel(s) under the current ENCRYPTION_KEY`);
    }
    const channel = this.config.defaultChannel;
    if (channel) {
      this.directory.remember(await this.channels.upsert(channel));
      this.logger.log('channel "default" written from the environment');
    }
    await this.directory.reload();
    // Channels added, removed or rotated by the CLI reach running services within this period.
    this.refreshTimer = setInterval(() => {
      this.directory.reload().catch((error: unknown) => this.logger.warn(`channel reload failed (keeping the cached channels): ${(error as Error).message}`));
    }, CHANNEL_REFRESH_MS);
    this.refreshTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.refreshTimer);
    await this.prisma.$disconnect();
  }
}

/** An unreadable channel is an operator's problem (a key left out of ENCRYPTION_KEY_PREVIOUS, altered data): an error, once. */
function reportChannelReadability(channel: UnreadableChannel, readable: boolean): void {
  const logger = new Logger('data');
  if (readable) logger.log(`channel "${channel.name}" can be read again`);
  else logger.error(`channel "${channel.name}" skipped: ${channel.reason}; its webhooks answer 503 until it can be read`);
}

@Global()
@Module({
  providers: [
    { provide: PRISMA, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createPrismaClient(config.db.url, config.db.poolSize) },
    { provide: SecretBox, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SecretBox(config.encryptionKey, config.previousEncryptionKeys) },
    { provide: ChannelRepository, inject: [PRISMA, SecretBox], useFactory: (prisma: PrismaClient, secrets: SecretBox) => new ChannelRepository(prisma, secrets) },
    { provide: ConversationRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new ConversationRepository(prisma) },
    { provide: MessageRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new MessageRepository(prisma) },
    { provide: InboundDeliveryRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new InboundDeliveryRepository(prisma) },
    { provide: ChannelDirectory, inject: [ChannelRepository], useFactory: (channels: ChannelRepository) => new ChannelDirectory(channels, { onReadabilityChange: reportChannelReadability }) },
    DataLifecycle,
  ],
  exports: [PRISMA, SecretBox, ChannelRepository, ConversationRepository, MessageRepository, InboundDeliveryRepository, ChannelDirectory],
})
export class DataModule {}

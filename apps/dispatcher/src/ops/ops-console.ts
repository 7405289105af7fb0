import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit, type Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig, type OpsConsoleConfig } from '@tgg/config';
import { ChannelRepository, ConversationRepository } from '@tgg/data';
import { GENESYS_TOKENS, OpenMessagingClient, type GenesysTokenCache } from '@tgg/genesys';
import { DeadLetters } from '@tgg/operations';
import { ALL_QUEUES, type QueueName } from '@tgg/queues';
import { LOGGER, PRODUCER_REDIS } from '@tgg/service-runtime';
import { OpsAuth } from './ops-auth.js';
import { OPS_PREFIX, opsConsolePlugin } from './ops-console.plugin.js';
import { OpsOverview } from './ops-overview.js';

/**
 * The operator console under /ops on the dispatcher's HTTP port (docs/adr/0008-ops-console.md):
 * registered only when OPS_CONSOLE_TOKEN or OPS_CONSOLE_USER + OPS_CONSOLE_PASSWORD are set.
 */
@Injectable()
export class OpsConsole implements OnModuleInit, OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(ConversationRepository) private readonly conversations: ConversationRepository,
    @Inject(GENESYS_TOKENS) private readonly tokens: GenesysTokenCache | undefined,
    @Inject(OpenMessagingClient) private readonly openMessaging: OpenMessagingClient | undefined,
  ) {}

  onModuleInit(): void {
    const opsConfig = this.config.opsConsole as OpsConsoleConfig; // the provider is listed only when it is set
    for (const name of ALL_QUEUES) this.queues.set(name, new Queue(name, { connection: this.redis, prefix: this.config.redis.queuePrefix }));
    const deadLetters = new DeadLetters(async (name) => this.queue(name));
    const overview = new OpsOverview({
      config: this.config,
      redis: this.redis,
      channels: this.channels,
      conversations: this.conversations,
      tokens: this.tokens,
      openMessaging: this.openMessaging,
      deadLetters,
    });
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register(opsConsolePlugin({ auth: new OpsAuth(opsConfig), overview, deadLetters, queues: [...this.queues.values()], logger: this.logger, now: Date.now }), { prefix: OPS_PREFIX });
    const how = [opsConfig.token ? 'token' : '', opsConfig.basic ? `user ${opsConfig.basic.user}` : ''].filter(Boolean).join(' or ');
    this.logger.info({ path: OPS_PREFIX, auth: how }, 'ops console enabled');
  }

  async onApplicationShutdown(): Promise<void> {
    // The queues share the producer connection, which the service runtime closes after this.
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
  }

  private queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`no queue ${name}`); // ALL_QUEUES are all made in onModuleInit
    return queue;
  }
}

/** Listed in the dispatcher's providers: nothing when the console is off. */
export function opsConsoleProviders(config: AppConfig): Provider[] {
  return config.opsConsole ? [OpsConsole] : [];
}

import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import type { TelegramReplyReadyV1 } from '@tgg/contracts';
import { WORKER_REDIS } from '@tgg/service-runtime';
import { toJobId } from '@tgg/queues';
import type { StepOutcome } from './telegram-step.sender.js';

/** As long as the webhook's own de-duplication of a Genesys message id. */
const MEMORY_S = 25 * 3600;

/**
 * The steps of a reply Telegram accepted, remembered in Redis right after each send and before the
 * database writes that record it (parts_sent, delivered). If those writes fail — Postgres away —
 * the job is retried, and without this it would send the step again although Telegram has it
 * (the inbound path's "genesys-accepted" marker does the same for Genesys).
 */
@Injectable()
export class SentSteps {
  constructor(
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async recall(job: TelegramReplyReadyV1, stepIndex: number): Promise<StepOutcome | undefined> {
    const text = await this.redis.get(this.keyOf(job, stepIndex));
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as StepOutcome; // written by remember() below
    } catch {
      return undefined;
    }
  }

  async remember(job: TelegramReplyReadyV1, stepIndex: number, outcome: StepOutcome): Promise<void> {
    await this.redis.set(this.keyOf(job, stepIndex), JSON.stringify(outcome), 'EX', MEMORY_S);
  }

  private keyOf(job: TelegramReplyReadyV1, stepIndex: number): string {
    return `${this.config.redis.queuePrefix}:telegram-sent:${toJobId(job.channel, job.reply.id)}:${stepIndex}`;
  }
}

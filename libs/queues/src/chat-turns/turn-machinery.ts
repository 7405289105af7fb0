import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { defaultJobOptions } from '../job-options.js';
import { QueueName } from '../queue-names.js';
import { TypedProducer } from '../typed-producer.js';
import { ChatTurnStore } from './chat-turn-store.js';
import { TurnScheduler } from './turn-scheduler.js';

/** The genesys-inbound queue and the per-chat turn machinery in front of it (sequencer and dispatcher share it). */
export interface TurnMachinery {
  queue: Queue;
  producer: TypedProducer<'genesys-message-ready.v1'>;
  store: ChatTurnStore;
  scheduler: TurnScheduler;
  close(): Promise<void>;
}

export function createTurnMachinery(
  redis: Redis,
  settings: { queuePrefix: string; genesysMaxAttempts: number },
  onCorruptTurn: (chatRef: string, orderKey: string) => void,
): TurnMachinery {
  const queue = new Queue(QueueName.GenesysInbound, { connection: redis, prefix: settings.queuePrefix });
  const producer = new TypedProducer(queue, 'genesys-message-ready.v1', defaultJobOptions(settings.genesysMaxAttempts));
  const store = new ChatTurnStore(redis, settings.queuePrefix);
  const scheduler = new TurnScheduler(store, producer, queue, onCorruptTurn);
  return { queue, producer, store, scheduler, close: () => queue.close() };
}

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { defaultJobOptions } from '../job-options.js';
import { QueueName } from '../queue-names.js';
import { TypedProducer } from '../typed-producer.js';
import { ChatTurnStore } from './chat-turn-store.js';
import { TurnScheduler, type TurnJobName } from './turn-scheduler.js';

/** A queue whose jobs are per-chat turns, and the turn machinery in front of it. */
export interface ChatTurnMachinery<N extends TurnJobName> {
  queue: Queue;
  producer: TypedProducer<N>;
  store: ChatTurnStore;
  scheduler: TurnScheduler<N>;
  close(): Promise<void>;
}

/** The genesys-inbound queue and its per-chat turns (sequencer and dispatcher share it). */
export type TurnMachinery = ChatTurnMachinery<'genesys-message-ready.v1'>;

export interface ChatTurnSettings<N extends TurnJobName> {
  queuePrefix: string;
  queueName: QueueName;
  jobName: N;
  /** DEAD_LETTER_KEEP (see defaultJobOptions). */
  deadLetterKeep: number;
  /** Redis key namespace of the turns (see ChatTurnStoreOptions). */
  namespace: string;
  inflightRecheckMs?: number;
  incomingStaleMs?: number;
}

export function createChatTurnMachinery<N extends TurnJobName>(
  redis: Redis,
  settings: ChatTurnSettings<N>,
  onCorruptTurn: (chatRef: string, orderKey: string) => void,
): ChatTurnMachinery<N> {
  const queue = new Queue(settings.queueName, { connection: redis, prefix: settings.queuePrefix });
  const producer = new TypedProducer(queue, settings.jobName, defaultJobOptions(settings.deadLetterKeep));
  const store = new ChatTurnStore(redis, settings.queuePrefix, { namespace: settings.namespace, inflightRecheckMs: settings.inflightRecheckMs, incomingStaleMs: settings.incomingStaleMs });
  const scheduler = new TurnScheduler(store, producer, queue, onCorruptTurn);
  return { queue, producer, store, scheduler, close: () => queue.close() };
}

/** The inbound path's machinery: genesys-inbound, namespace 'seq'. */
export function createTurnMachinery(
  redis: Redis,
  settings: { queuePrefix: string; deadLetterKeep: number; workerLockMs: number },
  onCorruptTurn: (chatRef: string, orderKey: string) => void,
): TurnMachinery {
  return createChatTurnMachinery(
    redis,
    {
      queuePrefix: settings.queuePrefix,
      queueName: QueueName.GenesysInbound,
      jobName: 'genesys-message-ready.v1',
      deadLetterKeep: settings.deadLetterKeep,
      namespace: 'seq',
      // A killed sequencer's job returns after its lock expires: wait a little longer than that.
      incomingStaleMs: 2 * settings.workerLockMs + 5000,
    },
    onCorruptTurn,
  );
}

import type { JobName } from '@tgg/contracts';
import { QueueName } from '@tgg/queues';
import type { HandlerRegistration, JobHandler } from './queue-job-handler.js';
import { planWorkers, WorkerHostError, type DiscoveredHandler } from './worker-plan.js';

const handler: JobHandler<JobName> = { handle: async () => undefined };
const found = (name: string, registration: HandlerRegistration): DiscoveredHandler => ({ name, registration, handler });
const receipts = (name: string, concurrency = 20): DiscoveredHandler => found(name, { queue: QueueName.GenesysReceipts, job: 'genesys-receipt-ready.v1', concurrency });

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof WorkerHostError) return error.problems;
    throw error;
  }
  throw new Error('planWorkers accepted the handlers');
}

describe('planWorkers', () => {
  it('plans one worker per consumed queue with its handler, concurrency and recovery setting', () => {
    const retention = found('RetentionHandler', { queue: QueueName.Maintenance, job: 'message-retention-due.v1', concurrency: 1, wakeRetriesOnRecovery: false });
    const plans = planWorkers([QueueName.GenesysReceipts, QueueName.Maintenance], [receipts('ReceiptsHandler'), retention]);
    expect(plans.map((plan) => ({ queue: plan.queue, concurrency: plan.concurrency, wake: plan.wakeRetriesOnRecovery, jobs: [...plan.handlers.keys()] }))).toEqual([
      { queue: 'genesys-receipts', concurrency: 20, wake: true, jobs: ['genesys-receipt-ready.v1'] },
      { queue: 'maintenance', concurrency: 1, wake: false, jobs: ['message-retention-due.v1'] },
    ]);
    expect(plans[0]?.handlers.get('genesys-receipt-ready.v1')?.name).toBe('ReceiptsHandler');
  });

  it('plans nothing for a service that consumes no queue (ingress)', () => {
    expect(planWorkers([], [])).toEqual([]);
  });

  it('refuses a consumed queue whose job name has no handler, naming queue and job', () => {
    expect(problemsOf(() => planWorkers([QueueName.GenesysReceipts, QueueName.GenesysReplies], [receipts('ReceiptsHandler')]))).toEqual([
      'queue genesys-replies: no handler for job genesys-reply-received.v1',
    ]);
  });

  it('refuses two handlers of one job name, naming both', () => {
    expect(problemsOf(() => planWorkers([QueueName.GenesysReceipts], [receipts('FirstHandler'), receipts('SecondHandler')]))).toEqual([
      'queue genesys-receipts: job genesys-receipt-ready.v1 has 2 handlers (FirstHandler, SecondHandler)',
    ]);
  });

  it('refuses a handler for a queue the service does not consume, or for a job its queue does not carry', () => {
    const misplaced = found('MisplacedHandler', { queue: QueueName.GenesysReceipts, job: 'telegram-reply-ready.v1', concurrency: 5 });
    expect(problemsOf(() => planWorkers([], [misplaced]))).toEqual([
      'handler MisplacedHandler is for queue genesys-receipts, which this service does not consume',
      'handler MisplacedHandler: queue genesys-receipts does not carry job telegram-reply-ready.v1',
    ]);
  });

  it('refuses handlers of one queue that disagree on concurrency, and a concurrency below 1', () => {
    const send = found('SendHandler', { queue: QueueName.TelegramSends, job: 'telegram-reply-ready.v1', concurrency: 0 });
    // Two handlers of one job name also disagree here; every problem is reported at once.
    expect(problemsOf(() => planWorkers([QueueName.GenesysReceipts, QueueName.TelegramSends], [receipts('A', 20), receipts('B', 10), send]))).toEqual([
      'queue genesys-receipts: job genesys-receipt-ready.v1 has 2 handlers (A, B)',
      'queue genesys-receipts: its handlers disagree on concurrency (20, 10)',
      'queue telegram-sends: concurrency must be a positive integer, not 0',
    ]);
  });

  it('says every problem in the error message', () => {
    expect(() => planWorkers([QueueName.GenesysReplies], [])).toThrow('cannot start the workers: queue genesys-replies: no handler for job genesys-reply-received.v1');
  });
});

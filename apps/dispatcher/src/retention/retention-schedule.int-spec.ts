import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '@tgg/queues';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { RETENTION_JOB_NAME, RETENTION_SCHEDULER_ID, scheduleMessageRetention } from './retention-schedule.js';

describe('message retention schedule (real Redis)', () => {
  const prefix = testQueuePrefix();
  const connections: Redis[] = [];
  const queues: Queue[] = [];

  /** One dispatcher replica's view of the maintenance queue, on its own connection. */
  function replicaQueue(): Queue {
    const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    connections.push(connection);
    const queue = new Queue(QueueName.Maintenance, { connection, prefix });
    queues.push(queue);
    return queue;
  }

  afterAll(async () => {
    await queues[0]?.obliterate({ force: true });
    await Promise.all(queues.map((queue) => queue.close()));
    await Promise.all(connections.map((connection) => connection.quit()));
  });

  it('is one scheduler with one pending run however many replicas register it, at once or on restart', async () => {
    const replicas = [replicaQueue(), replicaQueue(), replicaQueue()];
    await Promise.all(replicas.map((queue) => scheduleMessageRetention(queue)));
    // A rolling restart registers it again.
    await scheduleMessageRetention(replicaQueue());

    const [observer] = replicas as [Queue, ...Queue[]];
    expect(await observer.getJobSchedulersCount()).toBe(1);
    const scheduler = await observer.getJobScheduler(RETENTION_SCHEDULER_ID);
    expect(scheduler).toMatchObject({ name: RETENTION_JOB_NAME, every: 60 * 60 * 1000 });
    const pending = await observer.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(pending.map((job) => job.name)).toEqual([RETENTION_JOB_NAME]);
    expect(pending[0]?.opts).toMatchObject({ attempts: 5, removeOnFail: { count: 48 } });
  });
});

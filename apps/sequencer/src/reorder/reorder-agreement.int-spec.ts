import fc from 'fast-check';
import { Redis } from 'ioredis';
import { ChatTurnStore } from '@tgg/queues';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { ReorderBuffer, orderKeyString, type OrderKey } from './reorder-buffer.js';

/**
 * The pure ReorderBuffer defines the rules; the Redis ChatTurnStore must agree with it. Both are
 * fed the same random arrivals (message ids, duplicates, edits, arrival times) and drained at the
 * same instants; the order in which messages leave, and each accept outcome, must be identical.
 */
interface Arrival {
  messageId: number;
  edit: boolean;
  atMs: number;
}

const WINDOW_MS = 100;

describe('ReorderBuffer and ChatTurnStore agree', () => {
  let redis: Redis;
  let store: ChatTurnStore;
  let prefix: string;
  let chatCounter = 0;

  beforeAll(() => {
    redis = new Redis(redisUrl());
    prefix = testQueuePrefix();
    store = new ChatTurnStore(redis, prefix);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  async function drainStore(chatRef: string, nowMs: number, out: string[]): Promise<void> {
    for (;;) {
      const turn = await store.advance(chatRef, nowMs);
      if (!turn) return;
      out.push(turn.itemJson);
      await store.finish(chatRef, turn.orderKey, nowMs);
    }
  }

  it('for any arrival order, timing and duplicates', async () => {
    const arrival = fc.record({ messageId: fc.integer({ min: 1, max: 12 }), edit: fc.boolean(), atMs: fc.integer({ min: 0, max: 400 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(arrival, { minLength: 1, maxLength: 25 }), async (unsorted: Arrival[]) => {
        const arrivals = [...unsorted].sort((a, b) => a.atMs - b.atMs);
        const chatRef = ChatTurnStore.chatRef('agree', String(++chatCounter));
        const buffer = new ReorderBuffer<string>(WINDOW_MS);
        const fromBuffer: string[] = [];
        const fromStore: string[] = [];
        const steps = [...new Set([...arrivals.map((a) => a.atMs), ...arrivals.map((a) => a.atMs + WINDOW_MS), 10_000])].sort((a, b) => a - b);
        let next = 0;
        for (const nowMs of steps) {
          while (next < arrivals.length && (arrivals[next]?.atMs ?? Infinity) <= nowMs) {
            const { messageId, edit } = arrivals[next] as Arrival; // bounded by the loop condition
            next += 1;
            const key: OrderKey = edit ? [messageId, 1_700_000_100, 'e1700000100'] : [messageId, 1_700_000_000, 'm'];
            const text = orderKeyString(...key);
            const bufferOutcome = buffer.accept(key, text, nowMs);
            if (bufferOutcome === 'late') fromBuffer.push(text);
            const storeOutcome = await store.accept(chatRef, text, text, nowMs, WINDOW_MS);
            expect(storeOutcome).toBe(bufferOutcome);
            await drainStore(chatRef, nowMs, fromStore);
          }
          fromBuffer.push(...buffer.release(nowMs));
          await drainStore(chatRef, nowMs, fromStore);
          expect(fromStore).toEqual(fromBuffer);
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});

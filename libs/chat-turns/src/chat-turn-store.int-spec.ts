import { Redis } from 'ioredis';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { chatIdOf, type OrderKey } from '@tgg/contracts';
import { ChatTurnStore, INFLIGHT_RECHECK_MS, REPLAY_HOLD_MS } from './chat-turn-store.js';
import { chatRefOf } from './ids.js';
import { RELEASED_KEYS_REMEMBERED } from './reorder-buffer.js';

const key = (messageId: number) => String(messageId).padStart(10, '0') as OrderKey; // fixed width, as order keys are

describe('ChatTurnStore (real Redis)', () => {
  let redis: Redis;
  let store: ChatTurnStore;
  let prefix: string;

  beforeAll(() => {
    redis = new Redis(redisUrl());
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
    store = new ChatTurnStore(redis, prefix);
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('holds messages for the window, then hands them out one turn at a time in key order', async () => {
    const chat = chatRefOf('default', chatIdOf(7000000001));
    for (const id of [3, 1, 2]) expect(await store.accept(chat, key(id), `item-${id}`, 1000 + id, 300)).toBe('held');
    expect(await store.advance(chat, 1100)).toBeUndefined();
    expect(await store.dueChats(1200)).toEqual([]);
    expect(await store.dueChats(1301)).toEqual([chat]);

    const first = await store.advance(chat, 1400);
    expect(first).toEqual({ chatRef: chat, orderKey: key(1), itemJson: 'item-1', isNewTurn: true });
    // While message 1 is in flight nothing else is handed out; asking again returns the same turn.
    expect(await store.advance(chat, 1401)).toMatchObject({ orderKey: key(1), isNewTurn: false });
    expect(await store.finish(chat, key(2), 1402)).toBe(false);
    expect(await store.finish(chat, key(1), 1403)).toBe(true);
    expect((await store.advance(chat, 1404))?.orderKey).toBe(key(2));
    expect(await store.finish(chat, key(2), 1405)).toBe(true);
    expect((await store.advance(chat, 1406))?.orderKey).toBe(key(3));
    expect(await store.finish(chat, key(3), 1407)).toBe(true);
    expect(await store.advance(chat, 1408)).toBeUndefined();
    expect(await store.dueChats(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('holds a requeued (replayed) key back for the replay hold, then hands it out in key order; says "turn" for the key in flight', async () => {
    const chat = chatRefOf('default', chatIdOf(41));
    for (const id of [1, 2, 3]) await store.accept(chat, key(id), `item-${id}`, 0, 0);
    await store.advance(chat, 1);
    expect(await store.requeue(chat, key(1), 'ignored', 2)).toEqual({ outcome: 'turn', itemJson: 'item-1' });
    for (const [id, at] of [[1, 3], [2, 5]] as const) {
      await store.finish(chat, key(id), at);
      await store.advance(chat, at + 1);
    }
    // 1 and 2 were dead-lettered; 3 is in flight. Both replayed (oldest first from the CLI, but parallel workers
    // may run them in any order; here 2 first), 1000 ms apart at most: both wait their hold.
    expect(await store.requeue(chat, key(2), 'item-2 again', 10)).toEqual({ outcome: 'queued' });
    expect(await store.requeue(chat, key(1), 'item-1 again', 20)).toEqual({ outcome: 'queued' });
    expect(await store.dueChats(10 + REPLAY_HOLD_MS - 1)).toEqual([]);
    await store.finish(chat, key(3), 30);
    expect(await store.advance(chat, 31)).toBeUndefined();
    expect(await store.dueChats(10 + REPLAY_HOLD_MS)).toEqual([chat]);
    // Released together, in key order: 1 first although it was replayed last.
    expect(await store.advance(chat, 20 + REPLAY_HOLD_MS)).toEqual({ chatRef: chat, orderKey: key(1), itemJson: 'item-1 again', isNewTurn: true });
    await store.finish(chat, key(1), 21 + REPLAY_HOLD_MS);
    expect(await store.advance(chat, 22 + REPLAY_HOLD_MS)).toMatchObject({ orderKey: key(2), itemJson: 'item-2 again' });
  });

  it('names the highest key of a chat, released or held, for a tap to follow', async () => {
    const chat = chatRefOf('default', chatIdOf(43));
    expect(await store.highestKey(chat)).toBeUndefined();
    await store.accept(chat, key(2), 'item-2', 0, 0);
    await store.advance(chat, 1);
    expect(await store.highestKey(chat)).toBe(key(2));
    await store.accept(chat, key(5), 'item-5', 2, 300);
    await store.accept(chat, key(4), 'item-4', 3, 300);
    expect(await store.highestKey(chat)).toBe(key(5));
    expect(await store.highestKey(chatRefOf('default', chatIdOf(44)))).toBeUndefined();
  });

  it('reports duplicates whether pending, in flight or already released', async () => {
    const chat = chatRefOf('default', chatIdOf(42));
    expect(await store.accept(chat, key(5), 'a', 0, 100)).toBe('held');
    expect(await store.accept(chat, key(5), 'b', 1, 100)).toBe('duplicate');
    await store.advance(chat, 200);
    expect(await store.accept(chat, key(5), 'c', 201, 100)).toBe('duplicate');
    await store.finish(chat, key(5), 202);
    expect(await store.accept(chat, key(5), 'd', 203, 100)).toBe('duplicate');
  });

  it('sends a message that arrives after a later one left as late, never dropping it', async () => {
    const chat = chatRefOf('default', chatIdOf(43));
    await store.accept(chat, key(10), 'ten', 0, 100);
    const ten = await store.advance(chat, 150);
    expect(ten?.orderKey).toBe(key(10));
    expect(await store.accept(chat, key(9), 'nine', 160, 100)).toBe('late');
    await store.finish(chat, key(10), 170);
    expect(await store.advance(chat, 171)).toMatchObject({ orderKey: key(9), itemJson: 'nine' });
  });

  it('forgets the key it remembered longest ago, not the smallest: a late arrival is remembered as recent', async () => {
    const chat = chatRefOf('default', chatIdOf(49));
    const released = Array.from({ length: RELEASED_KEYS_REMEMBERED }, (_, index) => index + 2); // keys 2..1025 fill the memory
    const drain = async (nowMs: number) => {
      for (let turn = await store.advance(chat, nowMs); turn; turn = await store.advance(chat, nowMs)) await store.finish(chat, turn.orderKey, nowMs);
    };
    await Promise.all(released.map((id) => store.accept(chat, key(id), `item-${id}`, 0, 0)));
    await drain(1); // releases all of them, in key order, and finishes each turn (nothing left in flight to match)
    expect(await store.accept(chat, key(1), 'one, late', 2, 0)).toBe('late'); // remembered; key 2, the oldest, is forgotten
    await drain(2);
    expect(await store.accept(chat, key(1), 'one again', 3, 0)).toBe('duplicate');
    expect(await store.accept(chat, key(1024), 'a recent one again', 4, 0)).toBe('duplicate');
    expect(await store.accept(chat, key(2), 'two again', 5, 0)).toBe('late');
  });

  it('releases lower keys together with an earlier-due higher key, keeping order', async () => {
    const chat = chatRefOf('default', chatIdOf(44));
    await store.accept(chat, key(2), 'two', 0, 100); // due at 100
    await store.accept(chat, key(1), 'one', 50, 100); // due at 150, but lower than 2
    const turn = await store.advance(chat, 120);
    expect(turn?.orderKey).toBe(key(1));
  });

  it('keeps chats independent: one chat in flight does not hold another', async () => {
    const a = chatRefOf('default', chatIdOf(1));
    const b = chatRefOf('default', chatIdOf(2));
    await store.accept(a, key(1), 'a1', 0, 0);
    await store.accept(a, key(2), 'a2', 0, 0);
    await store.accept(b, key(1), 'b1', 0, 0);
    expect((await store.advance(a, 1))?.itemJson).toBe('a1');
    expect((await store.advance(b, 1))?.itemJson).toBe('b1');
  });

  it('schedules a recheck of an in-flight turn so a lost job is found again', async () => {
    const chat = chatRefOf('default', chatIdOf(45));
    await store.accept(chat, key(1), 'one', 0, 0);
    await store.advance(chat, 10);
    expect(await store.dueChats(10 + INFLIGHT_RECHECK_MS - 1)).toEqual([]);
    expect(await store.dueChats(10 + INFLIGHT_RECHECK_MS)).toEqual([chat]);
  });

  it('holds a chat back while an acknowledged update is still on its way in, until it arrives or goes stale', async () => {
    const gatedStore = new ChatTurnStore(redis, prefix, { incomingStaleMs: 5_000 });
    const chat = chatRefOf('default', chatIdOf(46));
    const dedupeKey = `${prefix}:de:none`;
    expect(await gatedStore.markIncoming(chat, 702, 0, dedupeKey)).toBe('marked'); // message 2, acknowledged by ingress
    expect(await gatedStore.accept(chat, key(3), 'three', 10, 100, 703)).toBe('held');
    expect(await gatedStore.advance(chat, 500)).toBeUndefined(); // 3's window passed, but 2 is still coming
    expect(await gatedStore.accept(chat, key(2), 'two', 600, 100, 702)).toBe('held');
    expect((await gatedStore.advance(chat, 701))?.itemJson).toBe('two');

    const stale = chatRefOf('default', chatIdOf(47));
    await gatedStore.markIncoming(stale, 801, 0, dedupeKey); // its job was dead-lettered: it never comes
    await gatedStore.accept(stale, key(5), 'five', 10, 100, 805);
    expect(await gatedStore.advance(stale, 4_000)).toBeUndefined();
    expect((await gatedStore.advance(stale, 5_001))?.itemJson).toBe('five');
  });

  it('reports an update whose dedupe key exists as a duplicate without marking it', async () => {
    const chat = chatRefOf('default', chatIdOf(48));
    const dedupeKey = `${prefix}:de:seen`;
    await redis.set(dedupeKey, 'job-1');
    expect(await store.markIncoming(chat, 901, 0, dedupeKey)).toBe('duplicate');
    await store.accept(chat, key(1), 'one', 0, 0, 900);
    expect((await store.advance(chat, 1))?.itemJson).toBe('one'); // no mark left behind to hold it
  });

  it('lists held chats for operators: in the reorder window, waiting behind the turn in flight, held by an incoming update', async () => {
    const windowed = chatRefOf('default', chatIdOf(501));
    const busy = chatRefOf('default', chatIdOf(502));
    const gated = chatRefOf('other', chatIdOf(503));
    const done = chatRefOf('default', chatIdOf(504));
    await store.accept(windowed, key(1), 'w1', 1000, 300);
    await store.accept(windowed, key(2), 'w2', 1000, 300);
    for (const id of [1, 2, 3]) await store.accept(busy, key(id), `b${id}`, 0, 0);
    await store.advance(busy, 1);
    await store.markIncoming(gated, 77, 0, `${prefix}:dedupe:77`);
    await store.accept(done, key(1), 'd1', 0, 0);
    await store.advance(done, 1);
    await store.finish(done, key(1), 2); // its due entry stays until the sweeper looks again

    const held = await store.heldChats();
    expect(held).toEqual(
      expect.arrayContaining([
        { chatRef: windowed, inReorderWindow: 2, waiting: 0, incoming: 0, nextLookMs: 1300 },
        { chatRef: busy, inReorderWindow: 0, waiting: 2, inflight: key(1), incoming: 0, nextLookMs: 1 + INFLIGHT_RECHECK_MS },
      ]),
    );
    expect(held.map((chat) => chat.chatRef)).not.toContain(done);
    // An incoming mark alone puts no chat in the due set: it holds a chat back only once that chat has something to release.
    expect(held.map((chat) => chat.chatRef)).not.toContain(gated);
    await store.accept(gated, key(5), 'g5', 0, 0);
    expect(await store.heldChats()).toContainEqual({ chatRef: gated, inReorderWindow: 1, waiting: 0, incoming: 1, nextLookMs: 0 });
    expect(await store.heldChats(1)).toHaveLength(1);
  });
});

import type { Redis } from 'ioredis';
import type { OrderKey } from '@tgg/contracts';
import { storedChatRef, type ChatRef } from './ids.js';
import { defineRedisScript, type RedisScript } from './redis-script.js';
import { ACCEPT_SCRIPT, ADVANCE_SCRIPT, FINISH_SCRIPT, MARK_INCOMING_SCRIPT, REQUEUE_SCRIPT } from './chat-turns.lua.js';

export type AcceptOutcome = 'held' | 'late' | 'duplicate';

/** 'turn': the key is the chat's turn in flight (with the item stored for it); 'queued': put back in line. */
export type RequeueOutcome = { outcome: 'turn'; itemJson: string } | { outcome: 'queued' };

export interface ChatTurn {
  chatRef: ChatRef;
  orderKey: OrderKey;
  itemJson: string;
  /** True when this call started the turn; false when it was already in flight (a recheck). */
  isNewTurn: boolean;
}

/**
 * When an in-flight turn is looked at again in case its job was lost (a crash between "turn taken"
 * and "job added"): a chat held by a crash is moving again within this long (SPEC: work resumed
 * within 10 s of a crash). One job-state read per busy chat this often.
 */
export const INFLIGHT_RECHECK_MS = 8_000;

/** How long a replayed dead letter waits for the rest of its replay batch before its chat takes it up. */
export const REPLAY_HOLD_MS = 1000;

/**
 * What one chat has in the store right now, for operators (read-only). `inReorderWindow`: messages
 * held for the reorder window (not yet released); `waiting`: released messages waiting behind the
 * turn in flight; `inflight`: the order key being worked on; `incoming`: updates ingress accepted
 * that have not reached the buffer (they hold the chat back); `nextLookMs`: when the sweeper looks again.
 */
export interface HeldChat {
  chatRef: ChatRef;
  inReorderWindow: number;
  waiting: number;
  inflight?: OrderKey;
  incoming: number;
  nextLookMs: number;
}

export interface ChatTurnStoreOptions {
  /**
   * Key namespace under the queue prefix, one per pipeline that orders chats: 'seq' is the inbound
   * reorder buffer (sequencer → dispatcher), 'out' the outbound replies. Two pipelines of the same
   * chat never share turns.
   */
  namespace?: string;
  /** How soon an in-flight turn is rechecked (its job may have been lost). */
  inflightRecheckMs?: number;
  /**
   * How long an update marked incoming (acknowledged by ingress, not yet accepted) holds back its
   * chat at most. Longer than a worker lock (a killed sequencer's job comes back after that), so
   * order survives a crash; a mark whose job never comes (it was dead-lettered) expires after it.
   */
  incomingStaleMs?: number;
  /** How long a replayed dead letter is held back so the rest of its chat's replayed items can join it (REPLAY_HOLD_MS). */
  replayHoldMs?: number;
}

/**
 * Per-chat state in Redis that gives each chat exactly one message in flight, in order, while
 * chats proceed in parallel (open-source BullMQ has no per-group ordering). Inbound, the sequencer
 * accepts and advances and the dispatcher finishes a turn and advances to the next; outbound, the
 * reply intake accepts (window 0) and the Telegram sender finishes turns.
 */
export class ChatTurnStore {
  private readonly acceptScript: RedisScript;
  private readonly advanceScript: RedisScript;
  private readonly finishScript: RedisScript;
  private readonly markIncomingScript: RedisScript;
  private readonly requeueScript: RedisScript;
  private readonly namespace: string;
  private readonly incomingStaleMs: number;
  private readonly inflightRecheckMs: number;
  private readonly replayHoldMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: ChatTurnStoreOptions = {},
  ) {
    this.namespace = options.namespace ?? 'seq';
    this.inflightRecheckMs = options.inflightRecheckMs ?? INFLIGHT_RECHECK_MS;
    this.replayHoldMs = options.replayHoldMs ?? REPLAY_HOLD_MS;
    this.acceptScript = defineRedisScript(redis, 'tggChatAccept', ACCEPT_SCRIPT);
    this.advanceScript = defineRedisScript(redis, 'tggChatAdvance', ADVANCE_SCRIPT);
    this.finishScript = defineRedisScript(redis, 'tggChatFinish', FINISH_SCRIPT);
    this.markIncomingScript = defineRedisScript(redis, 'tggChatMarkIncoming', MARK_INCOMING_SCRIPT);
    this.requeueScript = defineRedisScript(redis, 'tggChatRequeue', REQUEUE_SCRIPT);
    this.incomingStaleMs = options.incomingStaleMs ?? 65_000;
  }

  /**
   * Ingress, before enqueueing: 'duplicate' when `dedupeKey` exists (the update was accepted
   * before), else marks the update as on its way into this chat's buffer. One round trip.
   */
  async markIncoming(chatRef: ChatRef, updateId: number | string, nowMs: number, dedupeKey: string): Promise<'duplicate' | 'marked'> {
    return (await this.markIncomingScript(8, ...this.keys(chatRef), updateId, nowMs, dedupeKey)) === 1 ? 'duplicate' : 'marked';
  }

  /** Drops an incoming mark whose update will never be accepted (dead-lettered before buffering). */
  async clearIncoming(chatRef: ChatRef, updateId: number | string): Promise<void> {
    await this.redis.zrem(this.keys(chatRef)[7] ?? '', String(updateId));
  }

  async accept(chatRef: ChatRef, orderKey: OrderKey, itemJson: string, nowMs: number, windowMs: number, updateId?: number | string): Promise<AcceptOutcome> {
    const outcome = await this.acceptScript(8, ...this.keys(chatRef), orderKey, itemJson, nowMs, windowMs, chatRef, updateId ?? '');
    return outcome as AcceptOutcome; // the script returns only these three strings
  }

  async advance(chatRef: ChatRef, nowMs: number): Promise<ChatTurn | undefined> {
    const result = await this.advanceScript(8, ...this.keys(chatRef), nowMs, chatRef, this.inflightRecheckMs, this.incomingStaleMs);
    if (!Array.isArray(result)) return undefined;
    const [orderKey, itemJson, isNew] = result as [OrderKey, string, number]; // shape fixed by ADVANCE_SCRIPT
    return { chatRef, orderKey, itemJson, isNewTurn: isNew === 1 };
  }

  /**
   * For an item whose job runs: whether `orderKey` is the chat's turn in flight. If it is not (a
   * replayed dead letter, whose turn ended when it was dead-lettered), `itemJson` goes back into
   * the chat's reorder buffer for the replay hold, then leaves in key order like any held message.
   */
  async requeue(chatRef: ChatRef, orderKey: OrderKey, itemJson: string, nowMs: number): Promise<RequeueOutcome> {
    const [outcome, stored] = (await this.requeueScript(8, ...this.keys(chatRef), orderKey, itemJson, nowMs, chatRef, this.replayHoldMs)) as [string, string?]; // shape fixed by REQUEUE_SCRIPT
    return outcome === 'turn' ? { outcome: 'turn', itemJson: stored ?? '' } : { outcome: 'queued' };
  }

  /** Ends the chat's turn for `orderKey` (delivered, skipped or dead-lettered); false if it was not the turn. */
  async finish(chatRef: ChatRef, orderKey: OrderKey, nowMs: number): Promise<boolean> {
    return (await this.finishScript(8, ...this.keys(chatRef), orderKey, nowMs, chatRef)) === 1;
  }

  /**
   * The highest key the chat has, released or held (undefined when it has none remembered): what a
   * tap, which has no message_id, is ordered after (tapOrderKeyAfter). Two reads, not atomic with a
   * later accept: an item accepted in between arrived at the same moment, and either order is right.
   */
  async highestKey(chatRef: ChatRef): Promise<OrderKey | undefined> {
    const keys = this.keys(chatRef);
    const [last, pending] = await Promise.all([this.redis.get(keys[3] ?? ''), this.redis.zrange(keys[0] ?? '', 0, -1)]);
    const highest = [last ?? '', ...pending].reduce((max, key) => (key > max ? key : max), '');
    return highest === '' ? undefined : (highest as OrderKey); // stored by accept/advance, always order keys
  }

  /** Chats whose pending window expired or whose in-flight turn is due for a recheck. */
  async dueChats(nowMs: number, limit = 500): Promise<ChatRef[]> {
    return (await this.redis.zrangebyscore(this.dueKey(), '-inf', nowMs, 'LIMIT', 0, limit)).map(storedChatRef);
  }

  /**
   * Read-only view for operators: the chats the sweeper still has to look at (every chat with
   * something held, waiting or in flight is in the due set), soonest first, with their counts.
   * Chats whose state turned out empty (a finished turn not yet swept) are left out. Not atomic
   * across chats: a snapshot good enough to see what is stuck.
   */
  async heldChats(limit = 200): Promise<HeldChat[]> {
    const due = await this.redis.zrange(this.dueKey(), 0, limit - 1, 'WITHSCORES');
    const refs: [ChatRef, number][] = [];
    for (let i = 0; i + 1 < due.length; i += 2) refs.push([storedChatRef(due[i] ?? ''), Number(due[i + 1])]);
    const pipeline = this.redis.pipeline();
    for (const [chatRef] of refs) {
      const [pending, , outbox, , , , inflight, incoming] = this.keys(chatRef);
      pipeline.zcard(pending ?? '').zcard(outbox ?? '').get(inflight ?? '').zcard(incoming ?? '');
    }
    const replies = (await pipeline.exec()) ?? [];
    const chats: HeldChat[] = [];
    refs.forEach(([chatRef, nextLookMs], index) => {
      const [pending, outbox, inflight, incoming] = replies.slice(index * 4, index * 4 + 4).map(([error, value]) => {
        if (error) throw error;
        return value;
      }) as [number, number, string | null, number]; // the replies of zcard, zcard, get, zcard
      // The outbox keeps the key in flight until its turn finishes: it is not waiting.
      const waiting = outbox - (inflight === null ? 0 : 1);
      if (pending === 0 && outbox === 0 && inflight === null && incoming === 0) return;
      chats.push({ chatRef, inReorderWindow: pending, waiting, ...(inflight === null ? {} : { inflight: inflight as OrderKey }), incoming, nextLookMs });
    });
    return chats;
  }

  private dueKey(): string {
    return `${this.prefix}:${this.namespace}:due`;
  }

  private keys(chatRef: ChatRef): string[] {
    const base = `${this.prefix}:${this.namespace}:{${chatRef}}`;
    return [`${base}:pending`, `${base}:items`, `${base}:outbox`, `${base}:last`, `${base}:released`, this.dueKey(), `${base}:inflight`, `${base}:incoming`];
  }
}

import fc from 'fast-check';
import { replyOrderKey, telegramChatIdOf } from './reply-order-key.js';

describe('replyOrderKey', () => {
  it('orders by channel.time, then by arrival sequence, as plain string comparison', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ timeMs: fc.integer({ min: 0, max: 4_102_444_800_000 }), sequence: fc.nat({ max: 2 ** 40 }) }), { minLength: 2, maxLength: 30 }),
        (replies) => {
          const keyed = replies.map((reply) => ({ ...reply, key: replyOrderKey(new Date(reply.timeMs).toISOString(), reply.sequence, 0) }));
          const byKey = [...keyed].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
          const byFields = [...keyed].sort((a, b) => a.timeMs - b.timeMs || a.sequence - b.sequence);
          expect(byKey.map((reply) => [reply.timeMs, reply.sequence])).toEqual(byFields.map((reply) => [reply.timeMs, reply.sequence]));
        },
      ),
    );
  });

  it('is the same for the same inputs, so a retried intake finds its own key', () => {
    expect(replyOrderKey('2025-03-14T09:30:12.345Z', 42, 1)).toBe(replyOrderKey('2025-03-14T09:30:12.345Z', 42, 2));
    expect(replyOrderKey('2025-03-14T09:30:12.345Z', 42, 1)).toBe('001741944612345.0000000000000042');
  });

  it('falls back to the receive time when channel.time is missing or unreadable', () => {
    expect(replyOrderKey(undefined, 1, 1_767_225_600_000)).toBe('001767225600000.0000000000000001');
    expect(replyOrderKey('yesterday-ish', 1, 1_767_225_600_000)).toBe('001767225600000.0000000000000001');
  });
});

describe('telegramChatIdOf', () => {
  it('accepts decimal chat ids (private chats and negative group ids) and nothing else', () => {
    expect(telegramChatIdOf('7000000001')).toBe('7000000001');
    expect(telegramChatIdOf('-1001234567890')).toBe('-1001234567890');
    for (const bad of ['', 'abc', '12 34', '1e9', '+5', '123456789012345678901']) expect(telegramChatIdOf(bad)).toBeUndefined();
  });
});

import fc from 'fast-check';
import { compareOrderKeys, orderKeyOf, orderKeyString, tapOrderKeyAfter, type OrderKeyParts as OrderKey, type OrderVariant } from './order-keys.js';
import { RELEASED_KEYS_REMEMBERED, ReorderBuffer } from './reorder-buffer.js';

const variantArb: fc.Arbitrary<OrderVariant> = fc.oneof(
  fc.constant<OrderVariant>('m'),
  fc.integer({ min: 0, max: 4 }).map((editDateS): OrderVariant => `e${editDateS}`),
  fc.integer({ min: 0, max: 4 }).map((updateId): OrderVariant => `t${updateId}`),
);
// Small ranges on purpose: collisions (duplicates, equal ids, same-second edits) must be common.
const smallKeyArb: fc.Arbitrary<OrderKey> = fc.tuple(fc.integer({ min: 1, max: 25 }), fc.integer({ min: 0, max: 4 }), variantArb);
const keyText = (key: OrderKey) => orderKeyString(key[0], key[1], key[2]);

type Step = { kind: 'accept'; key: OrderKey; atMs: number } | { kind: 'release'; atMs: number };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('accept' as const), key: smallKeyArb, atMs: fc.integer({ min: 0, max: 2_000 }) }),
  fc.record({ kind: fc.constant('release' as const), atMs: fc.integer({ min: 0, max: 2_000 }) }),
);

/** Runs the steps, then flushes; returns what the caller would have forwarded, in order. */
function runSteps(windowMs: number, steps: Step[]) {
  const buffer = new ReorderBuffer<string>(windowMs);
  const accepted: string[] = [];
  const duplicates: string[] = [];
  const late: string[] = [];
  const releasedInOrder: string[] = [];
  const lateArrivedBelowReleased: boolean[] = [];
  for (const step of steps) {
    if (step.kind === 'release') {
      releasedInOrder.push(...buffer.release(step.atMs));
      continue;
    }
    const text = keyText(step.key);
    const outcome = buffer.accept(step.key, text, step.atMs);
    if (outcome === 'duplicate') duplicates.push(text);
    else accepted.push(text);
    if (outcome === 'late') {
      late.push(text);
      lateArrivedBelowReleased.push(releasedInOrder.some((released) => text < released));
    }
  }
  releasedInOrder.push(...buffer.release(Number.MAX_SAFE_INTEGER));
  return { buffer, accepted, duplicates, late, lateArrivedBelowReleased, releasedInOrder };
}

describe('ReorderBuffer', () => {
  it('releases a chat in message order whatever the arrival order inside the window', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 1e6 }), { maxLength: 50 }), (arrivals) => {
        const buffer = new ReorderBuffer<number>(1_000);
        arrivals.forEach((messageId, index) => expect(buffer.accept([messageId, 0], messageId, index)).toBe('held'));
        expect(buffer.release(10_000)).toEqual([...arrivals].sort((a, b) => a - b));
        expect(buffer.size).toBe(0);
      }),
    );
  });

  it('loses and repeats nothing across interleaved accepts and releases with random clocks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.array(stepArb, { maxLength: 200 }), (windowMs, steps) => {
        const { buffer, accepted, duplicates, late, releasedInOrder } = runSteps(windowMs, steps);
        const acceptedSet = new Set(accepted);
        expect(acceptedSet.size).toBe(accepted.length); // a key is accepted (held or late) at most once
        for (const duplicate of duplicates) expect(acceptedSet.has(duplicate)).toBe(true);
        const forwarded = [...releasedInOrder, ...late];
        expect([...forwarded].sort()).toEqual([...accepted].sort());
        expect(buffer.size).toBe(0);
      }),
    );
  });

  it('releases in strictly increasing key order; only items reported late fall below', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.array(stepArb, { maxLength: 200 }), (windowMs, steps) => {
        const { late, lateArrivedBelowReleased, releasedInOrder } = runSteps(windowMs, steps);
        for (let index = 1; index < releasedInOrder.length; index++) {
          expect(releasedInOrder[index - 1]! < releasedInOrder[index]!).toBe(true);
        }
        // Every late item was below something already released when it arrived, and never released again.
        expect(lateArrivedBelowReleased.every(Boolean)).toBe(true);
        const lateSet = new Set(late);
        expect(releasedInOrder.some((text) => lateSet.has(text))).toBe(false);
      }),
    );
  });

  it('passes everything straight through when windowMs is 0', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(smallKeyArb, fc.integer({ min: 0, max: 1e9 })), { maxLength: 100 }), (arrivals) => {
        const buffer = new ReorderBuffer<string>(0);
        for (const [key, nowMs] of arrivals) {
          const outcome = buffer.accept(key, keyText(key), nowMs);
          expect(buffer.release(nowMs)).toEqual(outcome === 'held' ? [keyText(key)] : []);
          expect(buffer.size).toBe(0);
        }
      }),
    );
  });

  it('holds an entry until its window has passed', () => {
    const buffer = new ReorderBuffer<string>(300);
    expect(buffer.accept([2, 100], 'two', 1_000)).toBe('held');
    expect(buffer.nextDueAtMs()).toBe(1_300);
    expect(buffer.release(1_299)).toEqual([]);
    expect(buffer.accept([1, 100], 'one', 1_100)).toBe('held');
    expect(buffer.size).toBe(2);
    expect(buffer.release(1_300)).toEqual(['one', 'two']); // 'one' is not due yet but must leave before 'two'
    expect(buffer.nextDueAtMs()).toBeUndefined();
  });

  it('keeps higher entries whose window has not passed', () => {
    const buffer = new ReorderBuffer<string>(300);
    buffer.accept([1, 100], 'one', 1_000);
    buffer.accept([3, 100], 'three', 1_200);
    expect(buffer.release(1_300)).toEqual(['one']);
    expect(buffer.accept([2, 100], 'two', 1_350)).toBe('held');
    expect(buffer.nextDueAtMs()).toBe(1_500);
    expect(buffer.release(1_500)).toEqual(['two', 'three']);
  });

  it('reports an arrival below the last released key as late and does not hold it', () => {
    const buffer = new ReorderBuffer<string>(100);
    buffer.accept([5, 100], 'five', 0);
    buffer.release(100);
    expect(buffer.accept([4, 100], 'four', 150)).toBe('late');
    expect(buffer.size).toBe(0);
    expect(buffer.accept([4, 100], 'four again', 160)).toBe('duplicate');
    expect(buffer.accept([6, 100], 'six', 170)).toBe('held');
  });

  it('reports a repeat of a pending or released key as a duplicate', () => {
    const buffer = new ReorderBuffer<string>(100);
    expect(buffer.accept([5, 100], 'five', 0)).toBe('held');
    expect(buffer.accept([5, 100], 'five again', 10)).toBe('duplicate');
    expect(buffer.release(100)).toEqual(['five']);
    expect(buffer.accept([5, 100], 'five once more', 200)).toBe('duplicate');
    expect(buffer.accept([5, 100, 'm'], 'five, explicit variant', 200)).toBe('duplicate');
  });

  it(`remembers the last ${RELEASED_KEYS_REMEMBERED} released keys, then treats an old repeat as late`, () => {
    const buffer = new ReorderBuffer<number>(0);
    for (let messageId = 1; messageId <= RELEASED_KEYS_REMEMBERED + 1; messageId++) {
      buffer.accept([messageId, 0], messageId, 0);
      buffer.release(0);
    }
    expect(buffer.accept([2, 0], 2, 0)).toBe('duplicate');
    expect(buffer.accept([1, 0], 1, 0)).toBe('late');
  });

  it('always recognises the last released key, even after many late arrivals pushed it out of memory', () => {
    const buffer = new ReorderBuffer<number>(0);
    buffer.accept([5_000, 0], 5_000, 0);
    buffer.release(0);
    for (let messageId = 1; messageId <= RELEASED_KEYS_REMEMBERED + 1; messageId++) buffer.accept([messageId, 0], messageId, 0);
    expect(buffer.accept([5_000, 0], 5_000, 0)).toBe('duplicate');
  });

  it('orders an edit after its message and before the next message, even within the same second', () => {
    const buffer = new ReorderBuffer<string>(1_000);
    buffer.accept(orderKeyOf('message', { message_id: 6, date: 100 }), 'six', 0);
    buffer.accept(orderKeyOf('edited_message', { message_id: 5, date: 100, edit_date: 100 }), 'five edited', 1);
    buffer.accept(orderKeyOf('message', { message_id: 5, date: 100 }), 'five', 2);
    buffer.accept(orderKeyOf('edited_message', { message_id: 5, date: 100, edit_date: 160 }), 'five edited later', 3);
    expect(buffer.release(5_000)).toEqual(['five', 'five edited', 'five edited later', 'six']);
  });

  it('rejects a negative or non-finite window', () => {
    expect(() => new ReorderBuffer(-1)).toThrow(RangeError);
    expect(() => new ReorderBuffer(Number.NaN)).toThrow(RangeError);
  });
});

describe('orderKeyString', () => {
  const fullKeyArb: fc.Arbitrary<OrderKey> = fc.tuple(
    fc.integer({ min: 0, max: 2 ** 31 }),
    fc.integer({ min: 0, max: 2 ** 32 }),
    fc.oneof(
      fc.constant<OrderVariant>('m'),
      fc.integer({ min: 0, max: 2 ** 32 }).map((editDateS): OrderVariant => `e${editDateS}`),
      fc.integer({ min: 0, max: 2 ** 32 }).map((updateId): OrderVariant => `t${updateId}`),
    ),
  );

  it('sorts as strings exactly as the keys compare as tuples', () => {
    fc.assert(
      fc.property(fullKeyArb, fullKeyArb, (a, b) => {
        const byCodeUnits = keyText(a) < keyText(b) ? -1 : keyText(a) > keyText(b) ? 1 : 0;
        expect(byCodeUnits).toBe(Math.sign(compareOrderKeys(a, b)));
      }),
    );
  });

  it('is fixed width', () => {
    fc.assert(
      fc.property(fullKeyArb, (key) => {
        expect(keyText(key)).toHaveLength(34);
      }),
    );
  });

  it('writes a message and its edit readably', () => {
    expect(orderKeyString(5, 1767225660)).toBe('0000000005:1767225660:0:0000000000');
    expect(orderKeyString(5, 1767225700, 'e1767225700')).toBe('0000000005:1767225700:1:1767225700');
  });

  it('refuses fields it cannot encode in order', () => {
    expect(() => orderKeyString(-1, 0)).toThrow(RangeError);
    expect(() => orderKeyString(2 ** 31 + 1, 0)).toThrow(RangeError);
    expect(() => orderKeyString(1, 2 ** 32 + 1)).toThrow(RangeError);
    expect(() => orderKeyString(1.5, 0)).toThrow(RangeError);
    expect(() => orderKeyString(1, 0, 'e-1' as OrderVariant)).toThrow(RangeError); // a cast to feed a bad value on purpose
    expect(() => orderKeyString(1, 0, 'x1' as OrderVariant)).toThrow(RangeError); // likewise
  });
});

describe('tapOrderKeyAfter', () => {
  const message5 = orderKeyString(5, 1767225660);
  const editOf5 = orderKeyString(5, 1767225700, 'e1767225700');
  const message6 = orderKeyString(6, 1767225600);

  it('puts a tap after the highest key known and its edits seen before, and before the next message', () => {
    const tap = tapOrderKeyAfter(message5, 1767225800, 900);
    expect(tap).toBe('0000000005:1767225800:2:0000000900');
    expect(tap > message5 && tap > editOf5 && tap < message6).toBe(true);
  });

  it('keeps the highest key second when our clock is behind Telegram, and orders taps of one second by update_id', () => {
    const tap = tapOrderKeyAfter(message5, 1767225000, 900);
    expect(tap > message5).toBe(true);
    expect(tapOrderKeyAfter(tap, 1767225000, 901) > tap).toBe(true);
  });

  it('places a tap after another tap on the same message, and starts a chat with no keys at message 0', () => {
    const first = tapOrderKeyAfter(message5, 1767225800, 900);
    expect(tapOrderKeyAfter(first, 1767225801, 901) > first).toBe(true);
    expect(tapOrderKeyAfter(undefined, 1767225800, 7)).toBe('0000000000:1767225800:2:0000000007');
  });
});

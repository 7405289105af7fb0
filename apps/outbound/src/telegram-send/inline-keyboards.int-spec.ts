import { Redis } from 'ioredis';
import { KeyboardButtonStore } from '@tgg/telegram';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { InlineKeyboards } from './inline-keyboards.js';
import type { PlannedKeyboard } from './keyboard-layout.js';

describe('InlineKeyboards (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let store: KeyboardButtonStore;
  let keyboards: InlineKeyboards;
  const owner = { channel: 'default', chatId: '7000000001', genesysMessageId: '5c0b1f2e9a7d4e21b8c3f4a5d6e7f809' };

  beforeAll(() => {
    redis = new Redis(redisUrl());
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
    store = new KeyboardButtonStore(redis, prefix);
    keyboards = new InlineKeyboards(store);
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('keeps the layout, gives callback buttons callback_data of ≤ 64 bytes that finds the full payload, and URL buttons their URL', async () => {
    const longPayload = `{"intent":"billing","ctx":"${'é'.repeat(500)}"}`;
    const keyboard: PlannedKeyboard = [
      [
        { kind: 'callback', label: 'Yes', text: 'Yes', payload: 'yes', type: 'QuickReply' },
        { kind: 'url', label: 'Site', url: 'https://shop.example/42' },
      ],
      [{ kind: 'callback', label: 'Talk to billing about my…', text: 'Talk to billing about my last invoice please', payload: longPayload, type: 'Button' }],
    ];
    const markup = await keyboards.markupFor(keyboard, owner);

    expect(markup.inline_keyboard.map((row) => row.map((button) => button.text))).toEqual([['Yes', 'Site'], ['Talk to billing about my…']]);
    expect(markup.inline_keyboard[0]?.[1]).toEqual({ text: 'Site', url: 'https://shop.example/42' });
    const callbackData = markup.inline_keyboard.flat().flatMap((button) => ('callback_data' in button ? [button.callback_data] : []));
    expect(callbackData).toHaveLength(2);
    for (const data of callbackData) {
      expect(Buffer.byteLength(data)).toBeGreaterThanOrEqual(1);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    }
    const [yes, billing] = await Promise.all(callbackData.map((data) => store.find(data)));
    expect(yes).toEqual({ channel: 'default', chatId: owner.chatId, keyboardId: expect.any(String), originatingMessageId: owner.genesysMessageId, type: 'QuickReply', text: 'Yes', payload: 'yes' });
    expect(billing).toMatchObject({ type: 'Button', text: 'Talk to billing about my last invoice please', payload: longPayload, originatingMessageId: owner.genesysMessageId });
    // One keyboard id for the whole message: the keyboard is answered once.
    expect(billing?.keyboardId).toBe(yes?.keyboardId);
  });

  it('uses a fresh keyboard id and fresh keys for every message (a retried send saves again)', async () => {
    const keyboard: PlannedKeyboard = [[{ kind: 'callback', label: 'Ok', text: 'Ok', payload: 'ok', type: 'QuickReply' }]];
    const [first, second] = [await keyboards.markupFor(keyboard, owner), await keyboards.markupFor(keyboard, owner)];
    const dataOf = (markup: typeof first) => (markup.inline_keyboard[0]?.[0] as { callback_data: string }).callback_data;
    expect(dataOf(first)).not.toBe(dataOf(second));
    expect((await store.find(dataOf(first)))?.keyboardId).not.toBe((await store.find(dataOf(second)))?.keyboardId);
  });
});

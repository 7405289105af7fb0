import { Redis } from 'ioredis';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { buttonIdOf, callbackDataOf, parseKeyboardButton, type KeyboardButtonRecord } from './keyboard-buttons.js';
import { KEYBOARD_BUTTON_TTL_S, KeyboardButtonStore } from './keyboard-buttons.store.js';

const button = (payload: string, text = 'Yes'): KeyboardButtonRecord => ({
  channel: 'default',
  chatId: '-1001234567890',
  keyboardId: 'kbd-1',
  originatingMessageId: '5f3b1c0e2f1d4e8a9b7c6d5e4f3a2b1c',
  type: 'QuickReply',
  text,
  payload,
});

describe('KeyboardButtonStore (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let store: KeyboardButtonStore;

  beforeAll(() => {
    redis = new Redis(redisUrl());
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
    store = new KeyboardButtonStore(redis, prefix);
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('gives every button short callback_data (≤ 64 bytes) that finds its record, whatever the payload length', async () => {
    const long = button('x'.repeat(2_000), 'Ünïcödé 👍');
    const short = button('yes');
    const [first, second] = await store.save([long, short]);
    expect(Buffer.byteLength(first!)).toBeLessThanOrEqual(64);
    expect(first).not.toBe(second);
    expect(await store.find(first)).toEqual(long);
    expect(await store.find(second)).toEqual(short);
    const ttl = await redis.ttl(`${prefix}:kb-button:${buttonIdOf(first)}`);
    expect(ttl).toBeGreaterThan(KEYBOARD_BUTTON_TTL_S - 10);
  });

  it('finds nothing for callback_data the bridge did not write or that expired', async () => {
    expect(await store.find(undefined)).toBeUndefined();
    expect(await store.find('some-other-bot:42')).toBeUndefined();
    expect(await store.find(callbackDataOf('A'.repeat(22)))).toBeUndefined();
    expect(await store.find('k1:../../etc')).toBeUndefined();
  });

  it('lets a keyboard be answered once', async () => {
    expect(await store.markAnswered('kbd-1')).toBe(true);
    expect(await store.markAnswered('kbd-1')).toBe(false);
    expect(await store.markAnswered('kbd-2')).toBe(true);
  });

  it('gives a keyboard to its first tap only, and again to that tap when it comes back (redelivery after a 503)', async () => {
    expect(await store.claimAnswer('kbd-1', '4382190231234567890')).toBe(true);
    expect(await store.claimAnswer('kbd-1', '4382190231234567891')).toBe(false);
    expect(await store.claimAnswer('kbd-1', '4382190231234567890')).toBe(true);
    expect(await store.markAnswered('kbd-1')).toBe(false);
    expect(await redis.ttl(`${prefix}:kb-answered:kbd-1`)).toBeGreaterThan(KEYBOARD_BUTTON_TTL_S - 10);
  });

  it('reads foreign or broken records as missing, never throws', () => {
    expect(parseKeyboardButton('not json')).toBeUndefined();
    expect(parseKeyboardButton('{"channel":"a"}')).toBeUndefined();
    expect(parseKeyboardButton(JSON.stringify({ ...button('p'), type: 'Carousel' }))).toBeUndefined();
  });
});

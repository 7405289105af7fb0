import { Redis } from 'ioredis';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { verifyMediaLink } from './media-link.js';
import { MEDIA_LINK_RECORD_GRACE_S, MediaLinkStore } from './media-link.store.js';

const signingKey = Buffer.alloc(32, 3);
const NOW_S = 1_767_225_600;
const record = {
  channel: 'default',
  fileId: `AgACAgIAAxkBAAI${'q'.repeat(185)}`, // 200 characters: longer than any real file_id
  mime: 'application/pdf',
  filename: `${'ü'.repeat(125)}.pdf`, // 254 UTF-8 bytes
  sizeBytes: 123_456,
};

describe('MediaLinkStore (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let store: MediaLinkStore;

  beforeAll(() => {
    redis = new Redis(redisUrl());
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
    store = new MediaLinkStore(redis, prefix, signingKey);
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('finds a saved record by the id of its signed link, which expires a little after the link', async () => {
    const { mediaLinkId, path } = store.linkOf(record, NOW_S + 3_600);
    await store.save([record], NOW_S + 3_600, NOW_S);

    const url = new URL(path, 'https://bridge.example');
    const verdict = verifyMediaLink(url.pathname.slice('/media/'.length), url.searchParams.get('exp') ?? '', url.searchParams.get('sig') ?? '', signingKey, NOW_S);
    expect(verdict).toEqual({ ok: true, mediaLinkId });
    expect(await store.find(mediaLinkId)).toEqual(record);
    const ttlS = await redis.ttl(`${prefix}:media-link:${mediaLinkId}`);
    expect(ttlS).toBeGreaterThan(3_600 + MEDIA_LINK_RECORD_GRACE_S - 5);
    expect(ttlS).toBeLessThanOrEqual(3_600 + MEDIA_LINK_RECORD_GRACE_S);
  });

  it('gives a retried message the same link id and renews its record', async () => {
    const first = store.linkOf(record, NOW_S + 60);
    await store.save([record], NOW_S + 60, NOW_S);
    const retry = store.linkOf({ ...record }, NOW_S + 4_000);
    await store.save([{ ...record }], NOW_S + 4_000, NOW_S + 100);
    expect(retry.mediaLinkId).toBe(first.mediaLinkId);
    expect(retry.path).not.toBe(first.path); // a new expiry, so a new signature
    expect(await redis.ttl(`${prefix}:media-link:${first.mediaLinkId}`)).toBeGreaterThan(3_900);
    expect(await redis.keys(`${prefix}:*`)).toHaveLength(1);
  });

  it('answers undefined for an id nothing was saved under, or whose record is not one', async () => {
    const { mediaLinkId } = store.linkOf(record, NOW_S + 60);
    expect(await store.find(mediaLinkId)).toBeUndefined();
    await redis.set(`${prefix}:media-link:${mediaLinkId}`, '{"channel":"default"}');
    expect(await store.find(mediaLinkId)).toBeUndefined();
  });

  it('stores nothing for a message without files', async () => {
    await store.save([], NOW_S + 60, NOW_S);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });
});

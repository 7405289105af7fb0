import { randomBytes } from 'node:crypto';
import { TcpProxy, createTestDatabase, type TestDatabase } from '@tgg/testing';
import { ChannelDirectory, ChannelUnavailableError } from './channel-directory.js';
import { ChannelRepository, type UnreadableChannel } from './channel.repository.js';
import { createPrismaClient, type PrismaClient } from './prisma.service.js';
import { SecretBox } from './secret-box.js';

describe('channels in Postgres: the in-memory directory and key rotation', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let repository: ChannelRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url);
    repository = new ChannelRepository(prisma, new SecretBox(randomBytes(32)));
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it('serves from memory, reloads on a miss at most once a second, and sees a rotated secret after reloading', async () => {
    let nowMs = 1_000_000;
    const directory = new ChannelDirectory(repository, () => nowMs);
    await repository.upsert({ name: 'alpha', botToken: '1:a', webhookSecret: 'old-secret' });
    await directory.reload();
    expect((await directory.get('alpha'))?.webhookSecret).toBe('old-secret');

    await repository.upsert({ name: 'beta', botToken: '2:b', webhookSecret: 'beta-secret' });
    expect(await directory.get('beta')).toBeUndefined(); // reloaded less than a second ago
    nowMs += 1001;
    expect((await directory.get('beta'))?.name).toBe('beta');

    await repository.upsert({ name: 'alpha', botToken: '1:a', webhookSecret: 'new-secret' });
    expect((await directory.get('alpha'))?.webhookSecret).toBe('old-secret'); // cached
    expect(await directory.reloadIfStale()).toBe(false);
    nowMs += 1001;
    expect(await directory.reloadIfStale()).toBe(true);
    expect((await directory.get('alpha'))?.webhookSecret).toBe('new-secret');
  });

  it('re-encrypts secrets left under a previous key after ENCRYPTION_KEY is rotated', async () => {
    await prisma.channel.deleteMany(); // the first test's channels were written under yet another key
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await new ChannelRepository(prisma, new SecretBox(oldKey)).upsert({ name: 'rotating', botToken: '9:token', webhookSecret: 'hook', genesysWebhookSecret: 'genesys-secret-16+' });
    const rotated = new ChannelRepository(prisma, new SecretBox(newKey, [oldKey]));
    expect(await rotated.reencryptUnderCurrentKey()).toBe(1);
    expect(await rotated.reencryptUnderCurrentKey()).toBe(0);
    // The old key can now be dropped: the new key alone reads everything back.
    const record = await new ChannelRepository(prisma, new SecretBox(newKey)).findByName('rotating');
    expect(record).toMatchObject({ botToken: '9:token', webhookSecret: 'hook', genesysWebhookSecret: 'genesys-secret-16+' });
  });

  it('skips and reports a channel whose secrets do not decrypt, and still loads every other one', async () => {
    await prisma.channel.deleteMany();
    const key = randomBytes(32);
    const strangerKey = randomBytes(32); // e.g. a key left out of ENCRYPTION_KEY_PREVIOUS
    const current = new ChannelRepository(prisma, new SecretBox(key));
    await current.upsert({ name: 'alpha', botToken: '1:a', webhookSecret: 'alpha-secret' });
    await new ChannelRepository(prisma, new SecretBox(strangerKey)).upsert({ name: 'broken', botToken: '2:b', webhookSecret: 'broken-secret' });
    await current.upsert({ name: 'gamma', botToken: '3:c', webhookSecret: 'gamma-secret' });
    let nowMs = 5_000_000;
    const reports: [UnreadableChannel, boolean][] = [];
    const directory = new ChannelDirectory(current, { now: () => nowMs, onReadabilityChange: (channel, readable) => reports.push([channel, readable]) });

    await directory.reload();
    expect(directory.all().map((channel) => channel.name).sort()).toEqual(['alpha', 'gamma']);
    expect(directory.unreadableNames()).toEqual(['broken']);
    await expect(directory.get('broken')).rejects.toBeInstanceOf(ChannelUnavailableError);
    expect(await directory.get('nowhere')).toBeUndefined();
    expect(reports).toEqual([[{ name: 'broken', reason: expect.stringMatching(/encrypted with key [0-9a-f]{8}/) }, false]]);
    expect(JSON.stringify(reports)).not.toContain('broken-secret');

    // Reported once, not at every reload; and again when it can be read (written under the current key).
    nowMs += 1001;
    await directory.reload();
    expect(reports).toHaveLength(1);
    await current.upsert({ name: 'broken', botToken: '2:b', webhookSecret: 'repaired-secret' });
    nowMs += 1001;
    await directory.reload();
    expect((await directory.get('broken'))?.webhookSecret).toBe('repaired-secret');
    expect(reports.map(([channel, readable]) => [channel.name, readable])).toEqual([['broken', false], ['broken', true]]);
  });

  it('re-encrypts what it can read after a key rotation and leaves an unreadable channel for the report', async () => {
    await prisma.channel.deleteMany();
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await new ChannelRepository(prisma, new SecretBox(oldKey)).upsert({ name: 'rotating', botToken: '9:token', webhookSecret: 'hook' });
    await new ChannelRepository(prisma, new SecretBox(randomBytes(32))).upsert({ name: 'orphan', botToken: '8:token', webhookSecret: 'hook' });
    const rotated = new ChannelRepository(prisma, new SecretBox(newKey, [oldKey]));
    expect(await rotated.reencryptUnderCurrentKey()).toBe(1);
    const listing = await new ChannelRepository(prisma, new SecretBox(newKey)).listReadable();
    expect(listing.channels.map((channel) => channel.name)).toEqual(['rotating']);
    expect(listing.unreadable.map((channel) => channel.name)).toEqual(['orphan']);
  });

  it('on a miss while Postgres is down, says "unavailable" (not "unknown channel") and keeps serving cached channels', async () => {
    await prisma.channel.deleteMany();
    const proxy = await TcpProxy.start(Number(new URL(db.url).port || 5432), new URL(db.url).hostname);
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const proxied = createPrismaClient(viaProxy.toString());
    try {
      const key = randomBytes(32);
      const channels = new ChannelRepository(proxied, new SecretBox(key));
      await channels.upsert({ name: 'cached', botToken: '1:a', webhookSecret: 'cached-secret' });
      let nowMs = 9_000_000;
      const directory = new ChannelDirectory(channels, () => nowMs);
      await directory.reload();

      proxy.cut();
      expect((await directory.get('cached'))?.webhookSecret).toBe('cached-secret');
      nowMs += 1001;
      await expect(directory.get('added-meanwhile')).rejects.toBeInstanceOf(ChannelUnavailableError);
      // Within the second after a failed attempt the database is not asked again, and the answer is the same.
      await expect(directory.get('added-meanwhile')).rejects.toBeInstanceOf(ChannelUnavailableError);

      proxy.restore();
      await new ChannelRepository(prisma, new SecretBox(key)).upsert({ name: 'added-meanwhile', botToken: '2:b', webhookSecret: 'new-secret' });
      nowMs += 1001;
      expect((await directory.get('added-meanwhile'))?.webhookSecret).toBe('new-secret');
      nowMs += 1001;
      expect(await directory.get('never-existed')).toBeUndefined();
    } finally {
      await proxied.$disconnect();
      await proxy.close();
    }
  });
});

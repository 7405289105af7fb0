import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@tgg/testing';
import { ChannelDirectory } from './channel-directory.js';
import { ChannelRepository } from './channel.repository.js';
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
});

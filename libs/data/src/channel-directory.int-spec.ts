import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@tgg/testing';
import { ChannelDirectory } from './channel-directory.js';
import { ChannelRepository } from './channel.repository.js';
import { createPrismaClient, type PrismaClient } from './prisma.service.js';
import { SecretBox } from './secret-box.js';

describe('ChannelDirectory (real Postgres)', () => {
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
});

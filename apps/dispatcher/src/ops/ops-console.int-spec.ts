import { randomBytes } from 'node:crypto';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ChatTurnStore, chatRefOf } from '@tgg/chat-turns';
import { loadConfig } from '@tgg/config';
import { chatIdOf, type OrderKey } from '@tgg/contracts';
import { ConversationRepository, createPrismaClient, type PrismaClient } from '@tgg/data';
import { FakeGenesys, FakeTelegram } from '@tgg/emulators';
import { startService, type RunningService } from '@tgg/service-runtime';
import { HARNESS_CREDENTIALS, createTestDatabase, eventually, harnessEnv, redisUrl, testQueuePrefix, type TestDatabase } from '@tgg/testing';
import { dispatcherService } from '../dispatcher.service-definition.js';

const TOKEN = randomBytes(32).toString('hex');
/** The token with its last digit changed: always different from TOKEN (a random token may end in any digit). */
const WRONG_TOKEN = `${TOKEN.slice(0, -1)}${TOKEN.endsWith('0') ? '1' : '0'}`;
const USER = 'night-shift';
const PASSWORD = 'correct horse battery staple';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Every route under /ops, Bull Board's UI, static files and API included, and a path that does not exist. */
const ROUTES: [string, string][] = [
  ['GET', '/ops'],
  ['GET', '/ops/'],
  ['POST', '/ops/logout'],
  ['POST', '/ops/dead-letters/replay'],
  ['POST', '/ops/dead-letters/purge'],
  ['GET', '/ops/queues'],
  ['GET', '/ops/queues/api/queues'],
  ['GET', '/ops/queues/api/queues/genesys-inbound/1'],
  ['PUT', '/ops/queues/api/queues/genesys-inbound/retry/failed'],
  ['PUT', '/ops/queues/api/queues/genesys-inbound/clean/failed'],
  ['GET', '/ops/queues/static/favicon.ico'],
  ['GET', '/ops/no-such-page'],
];

function serviceEnv(db: TestDatabase, telegram: FakeTelegram, genesys: FakeGenesys, queuePrefix: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...harnessEnv({ db, telegram, genesys, queuePrefix }), LOG_LEVEL: 'silent', ...extra };
}

describe('ops console on the dispatcher (in-process, real Redis and Postgres, emulated Telegram and Genesys)', () => {
  let db: TestDatabase;
  let telegram: FakeTelegram;
  let genesys: FakeGenesys;
  let service: RunningService;
  let redis: Redis;
  let prisma: PrismaClient;
  let receipts: Queue;
  let prefix: string;

  const request = (method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) =>
    fetch(`${service.url}${path}`, { method, redirect: 'manual', ...init, headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), ...init.headers } });
  const bearer = { authorization: `Bearer ${TOKEN}` };
  const sameOrigin = () => ({ origin: new URL(service.url).origin });

  beforeAll(async () => {
    db = await createTestDatabase();
    [telegram, genesys] = await Promise.all([FakeTelegram.start(), FakeGenesys.start()]);
    telegram.addBot(HARNESS_CREDENTIALS.botToken);
    genesys.addClient(HARNESS_CREDENTIALS.clientId, HARNESS_CREDENTIALS.clientSecret);
    genesys.addIntegration(HARNESS_CREDENTIALS.integrationId);
    prefix = testQueuePrefix();
    const config = loadConfig(serviceEnv(db, telegram, genesys, prefix, { OPS_CONSOLE_TOKEN: TOKEN, OPS_CONSOLE_USER: USER, OPS_CONSOLE_PASSWORD: PASSWORD, GRAFANA_URL: 'http://grafana.test:3030/' }));
    service = await startService(dispatcherService, config, { port: 0, host: '127.0.0.1' });
    await eventually(async () => expect((await fetch(`${service.url}/health/ready`)).status).toBe(200), 10_000, 100);
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    prisma = createPrismaClient(db.url, 2);
    receipts = new Queue('genesys-receipts', { connection: redis, prefix });
  }, 30_000);

  afterAll(async () => {
    await service?.app.close();
    await receipts?.close();
    const keys = (await redis?.keys(`${prefix}:*`)) ?? [];
    if (keys.length) await redis.del(...keys);
    await redis?.quit();
    await prisma?.$disconnect();
    await Promise.all([telegram?.close(), genesys?.close()]);
    await db?.drop();
  });

  /** A dead letter in genesys-receipts (a queue the dispatcher does not work, so a replayed job stays waiting for the test to see). */
  async function deadLetter(id: string, reason: string, trace: Record<string, string> = {}): Promise<void> {
    await receipts.add('genesys-receipt-ready.v1', { channel: 'default', receipt: {}, trace }, { jobId: id, attempts: 1 });
    const connection = redis.duplicate();
    const worker = new Worker('genesys-receipts', async () => { throw new UnrecoverableError(reason); }, { connection, prefix });
    await eventually(async () => expect(await (await receipts.getJob(id))?.getState()).toBe('failed'), 10_000, 50);
    await worker.close();
    await connection.quit();
  }

  it.each(ROUTES)('refuses %s %s without credentials, with a wrong token, wrong basic credentials or a forged session (401)', async (method, path) => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${WRONG_TOKEN}` },
      { authorization: basic(USER, 'wrong password!') },
      { authorization: basic('someone', PASSWORD) },
      { authorization: basic(USER, TOKEN) },
      { cookie: 'tgg_ops_session=99999999999999.dG9rZW4.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    ];
    for (const headers of attempts) {
      const response = await request(method, path, { headers: { ...headers, ...sameOrigin() } });
      expect({ headers, status: response.status }).toEqual({ headers, status: 401 });
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tgg-ops"');
      expect(await response.text()).not.toContain(TOKEN);
    }
  });

  it.each(ROUTES.filter(([method]) => method === 'GET'))('serves %s %s to the token and to the basic-auth user', async (method, path) => {
    for (const authorization of [bearer.authorization, basic(USER, PASSWORD)]) {
      const response = await request(method, path, { headers: { authorization } });
      expect(response.status).toBe(path === '/ops/no-such-page' || path.endsWith('/genesys-inbound/1') ? 404 : 200);
    }
  });

  it('signs in through the form (session cookie, HttpOnly, SameSite=Strict, path /ops) and refuses wrong credentials', async () => {
    const wrong = await request('POST', '/ops/login', { body: new URLSearchParams({ token: 'nope' }).toString(), headers: sameOrigin() });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    for (const form of [{ token: TOKEN }, { user: USER, password: PASSWORD }] as Record<string, string>[]) {
      const response = await request('POST', '/ops/login', { body: new URLSearchParams(form).toString(), headers: sameOrigin() });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/ops');
      const cookie = response.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^tgg_ops_session=[^;]+; Path=\/ops; HttpOnly; SameSite=Strict; Max-Age=28800$/);
      expect(cookie).not.toContain(TOKEN);
      const page = await request('GET', '/ops', { headers: { cookie: cookie.split(';')[0] ?? '' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Dead letters');
    }
    // A login form posted from another site is refused before the credentials are looked at.
    const forged = await request('POST', '/ops/login', { body: new URLSearchParams({ token: TOKEN }).toString(), headers: { origin: 'https://evil.example' } });
    expect(forged.status).toBe(403);
  });

  it('shows channel health (getMe, webhook info with its last error, Genesys integration), held and blocked chats, without any secret', async () => {
    telegram.setWebhookTarget(HARNESS_CREDENTIALS.botToken, 'http://127.0.0.1:1/telegram/webhook/default', HARNESS_CREDENTIALS.webhookSecret);
    telegram.setWebhookError(HARNESS_CREDENTIALS.botToken, "Can't connect to the webhook");
    const inbound = new ChatTurnStore(redis, prefix, { namespace: 'seq' });
    const held = chatRefOf('default', chatIdOf(7_770_000_001));
    await inbound.accept(held, '0000000001' as OrderKey, '{}', Date.now(), 60_000);
    const channel = await prisma.channel.findUniqueOrThrow({ where: { name: 'default' } });
    await new ConversationRepository(prisma).setBlocked(channel.id, '7770000002', true, Date.now());

    const page = await (await request('GET', '/ops', { headers: bearer })).text();
    expect(page).toContain('bot token valid: @');
    expect(page).toContain('last delivery error &#34;Can&#39;t connect to the webhook&#34;');
    expect(page).toMatch(/Genesys integration 0b1c2d3e-0000-4000-8000-00000000a11a .*status/);
    expect(page).toContain('Genesys OAuth token fetched');
    expect(page).toContain('default:7770000001');
    expect(page).toContain('7770000002');
    for (const secret of [HARNESS_CREDENTIALS.botToken, HARNESS_CREDENTIALS.webhookSecret, HARNESS_CREDENTIALS.clientSecret, HARNESS_CREDENTIALS.genesysWebhookSecret, TOKEN, PASSWORD]) {
      expect(page).not.toContain(secret);
    }
  });

  it('lists a dead letter escaped, with a Grafana link to its trace, and replays it only after confirmation, with a CSRF token from this origin', async () => {
    const traceId = 'ab'.repeat(16);
    await deadLetter('receipt-1', '<script>alert(1)</script> failed', { traceparent: `00-${traceId}-${'cd'.repeat(8)}-01` });
    const page = await (await request('GET', '/ops', { headers: bearer })).text();
    expect(page).not.toContain('<script>');
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62; failed');
    expect(page).toContain(`href="http://grafana.test:3030/explore?`);
    expect(page).toContain(traceId);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const form = (fields: Record<string, string>) => new URLSearchParams({ queue: 'genesys-receipts', job: 'receipt-1', ...fields }).toString();

    expect((await request('POST', '/ops/dead-letters/replay', { headers: { ...bearer, origin: 'https://evil.example' }, body: form({ csrf, confirm: 'yes' }) })).status).toBe(403);
    expect((await request('POST', '/ops/dead-letters/replay', { headers: { ...bearer, ...sameOrigin() }, body: form({ confirm: 'yes' }) })).status).toBe(403);
    expect((await request('POST', '/ops/dead-letters/replay', { headers: { ...bearer, ...sameOrigin() }, body: form({ csrf, queue: 'nope', confirm: 'yes' }) })).status).toBe(400);
    expect(await (await receipts.getJob('receipt-1'))?.getState()).toBe('failed');

    const confirm = await request('POST', '/ops/dead-letters/replay', { headers: { ...bearer, ...sameOrigin() }, body: form({ csrf }) });
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('Confirm replay');
    expect(await (await receipts.getJob('receipt-1'))?.getState()).toBe('failed');

    const done = await request('POST', '/ops/dead-letters/replay', { headers: { ...bearer, ...sameOrigin() }, body: form({ csrf, confirm: 'yes' }) });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('1 dead letter(s) moved back to waiting');
    const job = await receipts.getJob('receipt-1');
    expect(await job?.getState()).toBe('waiting');
    expect(typeof (job?.data as { replayedAtMs?: unknown }).replayedAtMs).toBe('number');

    // Replaying it again is refused with the reason: it is no longer failed.
    const again = await request('POST', '/ops/dead-letters/replay', { headers: { ...bearer, ...sameOrigin() }, body: form({ csrf, confirm: 'yes' }) });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('is waiting, not failed');
  });

  it('purges a dead letter after confirmation', async () => {
    await deadLetter('receipt-2', 'gone for good');
    const page = await (await request('GET', '/ops', { headers: bearer })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const body = new URLSearchParams({ queue: 'genesys-receipts', job: 'receipt-2', csrf, confirm: 'yes' }).toString();
    const done = await request('POST', '/ops/dead-letters/purge', { headers: { ...bearer, ...sameOrigin() }, body });
    expect(done.status).toBe(200);
    expect(await receipts.getJob('receipt-2')).toBeUndefined();
  });

  it("serves Bull Board's API for every product queue, read-only", async () => {
    const response = await request('GET', '/ops/queues/api/queues', { headers: bearer });
    const body = (await response.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((queue) => queue.name).sort()).toEqual(['genesys-inbound', 'genesys-receipts', 'genesys-replies', 'maintenance', 'telegram-sends', 'telegram-updates']);
    expect(body.queues.every((queue) => queue.readOnlyMode)).toBe(true);
  });
});

describe('ops console off by default', () => {
  it('is not served when neither a token nor basic credentials are set', async () => {
    const db = await createTestDatabase();
    const [telegram, genesys] = await Promise.all([FakeTelegram.start(), FakeGenesys.start()]);
    telegram.addBot(HARNESS_CREDENTIALS.botToken);
    genesys.addClient(HARNESS_CREDENTIALS.clientId, HARNESS_CREDENTIALS.clientSecret);
    const service = await startService(dispatcherService, loadConfig(serviceEnv(db, telegram, genesys, testQueuePrefix(), {})), { port: 0, host: '127.0.0.1' });
    try {
      for (const path of ['/ops', '/ops/login', '/ops/queues', '/ops/queues/api/queues']) expect((await fetch(`${service.url}${path}`)).status).toBe(404);
    } finally {
      await service.app.close();
      await Promise.all([telegram.close(), genesys.close()]);
      await db.drop();
    }
  }, 30_000);
});

import pg from 'pg';
import { parseEncryptionKey } from '@tgg/config';
import { ChannelRepository, SecretBox, createPrismaClient } from '@tgg/data';
import { BridgeHarness, HARNESS_CREDENTIALS, TcpProxy, aTextUpdate, createTestDatabase, eventually, type BridgeServiceName } from '@tgg/testing';

/**
 * SPEC §4: /health/ready means "this process can accept and durably store work". Postgres, the
 * Genesys token and a bot's getMe never gate it (in Kubernetes one blip would empty the Service and
 * every channel's webhooks would get 503); they are reported on /health/dependencies and as
 * `bridge_dependency_up`. Every service reaches Postgres through a TCP proxy the test cuts.
 */
const SERVICES: BridgeServiceName[] = ['ingress', 'sequencer', 'dispatcher', 'outbound'];
const CHAT = 7_100_000_001;
const SECOND = {
  name: 'second',
  botToken: '7000000002:AAE-second_bot_token_for_readiness',
  webhookSecret: 'second_webhook-secret',
  integrationId: '0b1c2d3e-0000-4000-8000-00000000b22b',
  genesysWebhookSecret: 'second-genesys-webhook-secret',
};
const SECOND_CHAT = 7_100_000_101;

interface DependencyEntry {
  status: 'up' | 'down' | 'unknown';
  detail?: string;
}
interface DependencyReport {
  status: 'ok' | 'degraded';
  dependencies: Record<string, DependencyEntry>;
  channels: Record<string, Record<string, DependencyEntry>>;
}

describe('readiness keeps the webhook receivers in service', () => {
  let proxy: TcpProxy;
  let bridge: BridgeHarness;
  let db: pg.Client;
  let nextUpdateId = 1;

  const readiness = async (service: BridgeServiceName) => (await fetch(`${bridge.url(service)}/health/ready`)).status;
  const dependencies = async (service: BridgeServiceName): Promise<{ status: number; text: string; report: DependencyReport }> => {
    const response = await fetch(`${bridge.url(service)}/health/dependencies`);
    const text = await response.text();
    return { status: response.status, text, report: JSON.parse(text) as DependencyReport };
  };
  const metricLine = async (service: BridgeServiceName, dependency: string, channel = '') => {
    const text = await (await fetch(`${bridge.url(service)}/metrics`)).text();
    return text.split('\n').find((line) => line.startsWith('bridge_dependency_up{') && line.includes(`dependency="${dependency}"`) && line.includes(`channel="${channel}"`));
  };

  async function postUpdate(chatId: number, messageId: number, channel = 'default', secret = HARNESS_CREDENTIALS.webhookSecret): Promise<number> {
    const response = await bridge.postUpdate(aTextUpdate({ updateId: nextUpdateId++, chatId, messageId }), { channel, secret });
    await response.arrayBuffer();
    return response.status;
  }

  beforeAll(async () => {
    const database = await createTestDatabase();
    const direct = new URL(database.url);
    proxy = await TcpProxy.start(Number(direct.port || 5432), direct.hostname);
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    bridge = await BridgeHarness.start({ database, services: SERVICES, windowMs: 100, env: { DATABASE_URL: proxied.toString(), OUTBOUND_PER_CHAT_PER_S: '5' } });
    db = new pg.Client({ connectionString: bridge.db.url });
    await db.connect();
  }, 60_000);

  // A failed assertion mid-outage must not leave the next test without a database.
  afterEach(() => proxy?.restore());

  afterAll(async () => {
    await db?.end();
    proxy?.restore();
    await bridge?.stop();
    await proxy?.close();
  });

  it('stays ready with Postgres cut, answers every webhook 200 and delivers it in order once Postgres is back', async () => {
    expect(await postUpdate(CHAT, 1)).toBe(200);
    await bridge.genesys.waitForInbound((record) => record.body.channel.messageId === `${CHAT}:1`, 1, 20_000);
    await eventually(async () => expect((await db.query('SELECT 1 FROM conversations WHERE chat_id = $1', [CHAT])).rowCount).toBe(1), 10_000, 100);

    proxy.cut();
    // The report notices within its refresh period; readiness never looks at Postgres.
    await eventually(async () => expect((await dependencies('ingress')).report.dependencies['postgres']?.status).toBe('down'), 20_000, 250);
    await eventually(async () => expect((await dependencies('outbound')).report.dependencies['postgres']?.status).toBe('down'), 20_000, 250);
    for (const service of SERVICES) expect([service, await readiness(service)]).toEqual([service, 200]);
    expect(await metricLine('ingress', 'postgres')).toMatch(/ 0$/);

    const customerStatuses = [];
    for (let messageId = 2; messageId <= 6; messageId++) customerStatuses.push(await postUpdate(CHAT, messageId));
    const agentStatuses = [];
    const replyIds: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const sent = await bridge.genesys.sendAgentMessage(HARNESS_CREDENTIALS.integrationId, { toId: String(CHAT), text: `reply ${n} during the outage` });
      agentStatuses.push(sent.status);
      replyIds.push(sent.id);
    }
    expect(customerStatuses).toEqual([200, 200, 200, 200, 200]);
    expect(agentStatuses).toEqual([200, 200, 200]);
    for (const service of SERVICES) expect([service, await readiness(service)]).toEqual([service, 200]);
    const report = await dependencies('outbound');
    expect(report.status).toBe(200);
    expect(report.report.status).toBe('degraded');
    for (const secret of Object.values(HARNESS_CREDENTIALS)) expect(report.text).not.toContain(secret);

    proxy.restore();
    const inbound = await bridge.genesys.waitForInbound((record) => record.body.channel.from.id === String(CHAT), 6, 60_000);
    expect(inbound.map((record) => record.body.channel.messageId)).toEqual([1, 2, 3, 4, 5, 6].map((messageId) => `${CHAT}:${messageId}`));
    const sends = await bridge.telegram.waitForCalls((call) => call.method === 'sendMessage' && call.params['chat_id'] === String(CHAT) && call.status === 200, 3, 60_000);
    expect(sends.map((call) => call.params['text'])).toEqual([1, 2, 3].map((n) => `reply ${n} during the outage`));
    await bridge.genesys.waitForReceipts((receipt) => replyIds.includes(receipt.body.id) && receipt.body.status === 'Delivered', 3, 30_000);
    await eventually(async () => expect((await dependencies('ingress')).report.dependencies['postgres']?.status).toBe('up'), 20_000, 250);
    expect(await metricLine('ingress', 'postgres')).toMatch(/ 1$/);
  }, 180_000);

  it('with one channel\'s bot token revoked, outbound stays ready and reports it, and the other channels deliver', async () => {
    bridge.telegram.addBot(SECOND.botToken, { username: 'second_bot' });
    bridge.genesys.addIntegration(SECOND.integrationId, { webhookUrl: `${bridge.url('outbound')}/genesys/webhook/${SECOND.name}`, webhookSecret: SECOND.genesysWebhookSecret });
    const prisma = createPrismaClient(bridge.db.url, 1);
    try {
      const encryptionKey = parseEncryptionKey(bridge.env['ENCRYPTION_KEY'] ?? '');
      await new ChannelRepository(prisma, new SecretBox(encryptionKey)).upsert({
        name: SECOND.name,
        botToken: SECOND.botToken,
        webhookSecret: SECOND.webhookSecret,
        genesysIntegrationId: SECOND.integrationId,
        genesysWebhookSecret: SECOND.genesysWebhookSecret,
      });
    } finally {
      await prisma.$disconnect();
    }
    bridge.telegram.revokeToken(HARNESS_CREDENTIALS.botToken);

    // A fresh outbound checks every bot at start: the revoked one must not keep it out of service.
    await bridge.restart('outbound');
    expect(await readiness('outbound')).toBe(200);
    await eventually(async () => {
      const { report } = await dependencies('outbound');
      expect(report.channels['default']?.['telegram-getme']?.status).toBe('down');
      expect(report.channels[SECOND.name]?.['telegram-getme']?.status).toBe('up');
      expect(report.status).toBe('degraded');
    }, 20_000, 250);
    const { text } = await dependencies('outbound');
    for (const secret of [...Object.values(HARNESS_CREDENTIALS), ...Object.values(SECOND).filter((value) => value !== SECOND.name && value !== SECOND.integrationId)]) {
      expect(text).not.toContain(secret);
    }
    expect(await metricLine('outbound', 'telegram-getme', 'default')).toMatch(/ 0$/);
    expect(await metricLine('outbound', 'telegram-getme', SECOND.name)).toMatch(/ 1$/);

    // The other channel works both ways.
    expect(await postUpdate(SECOND_CHAT, 1, SECOND.name, SECOND.webhookSecret)).toBe(200);
    const [arrived] = await bridge.genesys.waitForInbound((record) => record.body.channel.from.id === String(SECOND_CHAT), 1, 30_000);
    expect(arrived?.integrationId).toBe(SECOND.integrationId);
    await eventually(async () => expect((await db.query('SELECT 1 FROM conversations WHERE chat_id = $1', [SECOND_CHAT])).rowCount).toBe(1), 10_000, 100);
    const reply = await bridge.genesys.sendAgentMessage(SECOND.integrationId, { toId: String(SECOND_CHAT), text: 'the second bot still answers' });
    expect(reply.status).toBe(200);
    const send = await bridge.telegram.waitForCall((call) => call.method === 'sendMessage' && call.params['chat_id'] === String(SECOND_CHAT) && call.status === 200, 30_000);
    expect([send.token, send.params['text']]).toEqual([SECOND.botToken, 'the second bot still answers']);
    await bridge.genesys.waitForReceipts((receipt) => receipt.body.id === reply.id && receipt.body.status === 'Delivered', 1, 30_000);
    expect(await readiness('outbound')).toBe(200);
  }, 120_000);
});

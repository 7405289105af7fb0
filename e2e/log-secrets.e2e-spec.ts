import { randomBytes } from 'node:crypto';
import { hubSignature } from '@tgg/emulators';
import { BridgeHarness, HARNESS_CREDENTIALS, aTextUpdate, eventually, type BridgeServiceName } from '@tgg/testing';

const SERVICES: BridgeServiceName[] = ['ingress', 'sequencer', 'dispatcher', 'outbound'];

describe('logs of the four real services at debug level hold no secret', () => {
  let bridge: BridgeHarness;
  const chatId = 5_100_000_001;

  beforeAll(async () => {
    bridge = await BridgeHarness.start({ services: SERVICES, windowMs: 0, keepAllLogs: true, env: { LOG_LEVEL: 'debug' } });
  }, 60_000);

  afterAll(async () => {
    await bridge?.stop();
  });

  async function deliverToGenesys(messageId: number): Promise<void> {
    const arrival = bridge.genesys.waitForInbound((record) => record.body.channel.messageId === `${chatId}:${messageId}`, 1, 20_000);
    expect((await bridge.postUpdate(aTextUpdate({ updateId: messageId, chatId, messageId }))).status).toBe(200);
    await arrival;
  }

  it('refuses bad webhook secrets', async () => {
    const update = aTextUpdate({ updateId: 1, chatId, messageId: 1 });
    // A near miss too: a log of "expected …, got …" would print the secret inside the wrong value.
    for (const secret of ['wrong', null, `${HARNESS_CREDENTIALS.webhookSecret}x`]) {
      expect((await bridge.postUpdate(update, { secret })).status).toBe(401);
    }
  });

  it('delivers a message, then one through a Genesys 401 (expired token), a failed token request and a 429', async () => {
    await deliverToGenesys(1);
    bridge.genesys.expireAllTokens();
    // 503, not 401: a refused client secret waits 30 s for an operator, longer than this test should.
    bridge.genesys.failNext('token', 1, { status: 503 });
    bridge.genesys.failNext('message', 1, { status: 429, retryAfterS: 1 });
    await deliverToGenesys(2);
    expect(bridge.genesys.requests.filter((request) => request.status >= 400).map((request) => [request.route, request.status])).toEqual(
      expect.arrayContaining([['message', 401], ['token', 503], ['message', 429]]),
    );
  }, 40_000);

  it('serves a media link (Bot API URLs carry the token) and refuses a tampered one', async () => {
    const bytes = randomBytes(1024);
    bridge.telegram.addFile('log-doc', bytes, { filePath: 'documents/log.pdf', mime: 'application/pdf' });
    const arrival = bridge.genesys.waitForInbound((record) => record.body.channel.messageId === `${chatId}:3`, 1, 20_000);
    const document = { file_id: 'log-doc', file_unique_id: 'u-log', file_name: 'log.pdf', mime_type: 'application/pdf', file_size: bytes.length };
    await bridge.postUpdate({ update_id: 3, message: { message_id: 3, chat: { id: chatId, type: 'private', first_name: 'Ana' }, date: 1_767_225_600, document } });
    const link = (await arrival)[0]?.body.content?.[0]?.attachment.url ?? '';
    expect((await fetch(link)).status).toBe(200);
    expect((await fetch(link.replace(/sig=[^&]+/, 'sig=AAAA'))).status).toBe(403);
    bridge.telegram.failNext('getFile', 1, { status: 500, description: 'Internal Server Error' });
    expect((await fetch(link)).status).toBe(502);
  }, 40_000);

  it('sends an agent reply to Telegram through a failed send, and refuses a bad signature', async () => {
    const body = JSON.stringify({ id: 'b'.repeat(32), channel: { to: { id: String(chatId), idType: 'Opaque' }, time: new Date().toISOString() }, type: 'Text', text: 'hi' });
    const badSignature = hubSignature(Buffer.from(body), `${HARNESS_CREDENTIALS.genesysWebhookSecret}x`);
    const refused = await fetch(`${bridge.url('outbound')}/genesys/webhook/default`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': badSignature }, body });
    expect(refused.status).toBe(401);
    bridge.telegram.failNext('sendMessage', 1, { status: 500, description: 'Internal Server Error' });
    const sent = await bridge.genesys.sendAgentMessage(HARNESS_CREDENTIALS.integrationId, { toId: String(chatId), text: 'agent reply' });
    expect(sent.status).toBe(200);
    await bridge.telegram.waitForCall((call) => call.method === 'sendMessage' && call.status === 200 && call.params['text'] === 'agent reply', 20_000);
  }, 40_000);

  it('never logs the bot token, the webhook secrets, the client secret, the encryption key or a bearer token', async () => {
    const secrets: Record<string, string> = {
      botToken: HARNESS_CREDENTIALS.botToken,
      telegramWebhookSecret: HARNESS_CREDENTIALS.webhookSecret,
      genesysWebhookSecret: HARNESS_CREDENTIALS.genesysWebhookSecret,
      clientSecret: HARNESS_CREDENTIALS.clientSecret,
      encryptionKey: bridge.env['ENCRYPTION_KEY'] ?? 'ENCRYPTION_KEY missing from the harness env',
    };
    // The scenario above was logged in full (debug lines and the retries' warnings), so "not found" means something.
    await eventually(() => expect(bridge.logsOf('dispatcher')).toContain('delivered to Genesys'));
    expect(bridge.logsOf('dispatcher')).toContain('will retry');
    const leaks: string[] = [];
    for (const service of SERVICES) {
      const logs = bridge.logsOf(service);
      expect(logs.length).toBeGreaterThan(0);
      for (const [name, value] of Object.entries(secrets)) if (logs.includes(value)) leaks.push(`${service}: ${name}`);
      if (/Bearer\s+[A-Za-z0-9._~+/-]{8,}/.test(logs)) leaks.push(`${service}: a bearer token`);
    }
    expect(leaks).toEqual([]);
  });
});

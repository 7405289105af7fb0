import { createHmac, timingSafeEqual } from 'node:crypto';
import { FakeGenesys } from './fake-genesys.js';
import { RecordingReceiver } from './recording-receiver.js';
import { cardContent, carouselContent, datePickerContent, linkAction, notificationContent, postbackAction, quickReplies } from './genesys-structured-content.js';

const CLIENT_ID = 'client-id';
const CLIENT_SECRET = 'client-secret-value';
const INTEGRATION_ID = '3f9c2a00-0000-4000-8000-000000000001';
const WEBHOOK_SECRET = 'a-genesys-secret-longer-than-15';

interface JsonAnswer {
  status: number;
  headers: Headers;
  // Bodies are JSON objects whose fields each test asserts on.
  body: Record<string, unknown>;
}

async function request(fake: FakeGenesys, path: string, init: { method?: string; token?: string; json?: unknown } = {}): Promise<JsonAnswer> {
  const response = await fetch(`${fake.baseUrl}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
  const text = await response.text();
  // Every JSON answer of the emulator is an object; empty bodies (204) become {}.
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

async function requestToken(fake: FakeGenesys, clientSecret = CLIENT_SECRET): Promise<JsonAnswer> {
  const response = await fetch(`${fake.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  // The token endpoint answers a JSON object in success and failure alike.
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function accessToken(fake: FakeGenesys): Promise<string> {
  return String((await requestToken(fake)).body['access_token']);
}

function inboundMessage(customerId: string, text: string, messageId = `${customerId}:1`): object {
  return { channel: { messageId, time: '2025-03-14T09:26:53.000Z', from: { id: customerId, idType: 'Opaque', nickname: '@ivan' } }, text };
}

const MESSAGE_PATH = `/api/v2/conversations/messages/${INTEGRATION_ID}/inbound/open/message`;
const STRUCTURED_PATH = `/api/v2/conversations/messages/${INTEGRATION_ID}/inbound/open/structured/response`;
const RECEIPT_PATH = `/api/v2/conversations/messages/${INTEGRATION_ID}/inbound/open/receipt`;
const INTEGRATIONS_PATH = '/api/v2/conversations/messaging/integrations/open';

describe('FakeGenesys', () => {
  let fake: FakeGenesys;
  let nowMs: number;

  beforeEach(async () => {
    nowMs = Date.parse('2025-03-14T09:00:00Z');
    fake = await FakeGenesys.start({ clock: () => nowMs });
    fake.addClient(CLIENT_ID, CLIENT_SECRET, { tokenTtlS: 600 });
    fake.addIntegration(INTEGRATION_ID, { name: 'Telegram Bot Channel' });
  });

  afterEach(async () => {
    await fake.close();
  });

  describe('OAuth', () => {
    it('issues bearer tokens for the right client credentials and counts every request', async () => {
      const granted = await requestToken(fake);
      expect(granted.status).toBe(200);
      expect(granted.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 600 });

      const refused = await requestToken(fake, 'wrong-secret');
      expect(refused.status).toBe(401);
      expect(refused.body['error']).toBe('invalid_client');
      expect(fake.tokenRequests).toBe(2);
    });

    it('refuses API calls without a token, with an expired one, and after expireAllTokens', async () => {
      expect((await request(fake, MESSAGE_PATH, { json: inboundMessage('1', 'hi') })).body).toMatchObject({ status: 401, code: 'authentication.required' });

      const firstToken = await accessToken(fake);
      expect((await request(fake, MESSAGE_PATH, { token: firstToken, json: inboundMessage('1', 'hi') })).status).toBe(200);
      nowMs += 600_000; // the token's whole TTL
      const expired = await request(fake, MESSAGE_PATH, { token: firstToken, json: inboundMessage('1', 'hi') });
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual({ message: 'Invalid login credentials.', code: 'bad.credentials', status: 401, contextId: expect.any(String), details: [], errors: [] });

      const secondToken = await accessToken(fake);
      expect((await request(fake, MESSAGE_PATH, { token: secondToken, json: inboundMessage('1', 'hi') })).status).toBe(200);
      fake.expireAllTokens();
      expect((await request(fake, MESSAGE_PATH, { token: secondToken, json: inboundMessage('1', 'hi') })).status).toBe(401);
      expect(fake.inbound).toHaveLength(2);
    });
  });

  describe('inbound messages', () => {
    let token: string;

    beforeEach(async () => {
      token = await accessToken(fake);
    });

    it('answers without conversationId unless prefetchConversationId=true, and keeps it per customer', async () => {
      const plain = await request(fake, MESSAGE_PATH, { token, json: inboundMessage('7000000001', 'hello') });
      expect(plain.status).toBe(200);
      expect(plain.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{32}$/), type: 'Text', text: 'hello', channel: { messageId: '7000000001:1' } });
      expect(plain.body).not.toHaveProperty('conversationId');

      const prefetched = await request(fake, `${MESSAGE_PATH}?prefetchConversationId=true`, { token, json: inboundMessage('7000000001', 'again', '7000000001:2') });
      const sameCustomer = await request(fake, `${MESSAGE_PATH}?prefetchConversationId=true`, { token, json: inboundMessage('7000000001', 'more', '7000000001:3') });
      const otherCustomer = await request(fake, `${MESSAGE_PATH}?prefetchConversationId=true`, { token, json: inboundMessage('42', 'hi') });

      expect(prefetched.body['conversationId']).toEqual(expect.any(String));
      expect(sameCustomer.body['conversationId']).toBe(prefetched.body['conversationId']);
      expect(otherCustomer.body['conversationId']).not.toBe(prefetched.body['conversationId']);
      expect(fake.inbound.map((record) => [record.body.text, record.prefetchConversationId, record.accessToken])).toEqual([
        ['hello', false, token],
        ['again', true, token],
        ['more', true, token],
        ['hi', true, token],
      ]);
    });

    it('refuses an invalid body with 400 bad.request and records nothing', async () => {
      const invalid = await request(fake, MESSAGE_PATH, { token, json: { channel: { from: { id: '1', idType: 'Opaque' } }, text: 'x' } });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({ code: 'bad.request', status: 400, details: expect.arrayContaining([expect.objectContaining({ fieldName: 'channel.messageId' })]) });
      expect(fake.inbound).toEqual([]);
    });

    it('answers 404 for an unknown integration', async () => {
      const path = '/api/v2/conversations/messages/no-such-integration/inbound/open/message';
      expect((await request(fake, path, { token, json: inboundMessage('1', 'hi') })).body).toMatchObject({ status: 404, code: 'not.found' });
    });

    it('answers a scripted 429 with Retry-After and the normalized body, then recovers', async () => {
      fake.failNext('message', 1, { status: 429, retryAfterS: 3 });
      const limited = await request(fake, MESSAGE_PATH, { token, json: inboundMessage('1', 'hi') });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('3');
      expect(limited.body).toEqual({
        message: 'Rate limit exceeded the maximum. Retry the request in [3] seconds',
        code: 'too.many.requests.retry.after',
        status: 429,
        contextId: expect.any(String),
        details: [],
        errors: [],
      });
      expect((await request(fake, MESSAGE_PATH, { token, json: inboundMessage('1', 'hi') })).status).toBe(200);
      expect(fake.requests.map((entry) => [entry.route, entry.status])).toEqual([['token', 200], ['message', 429], ['message', 200]]);
    });

    it('names the message of each request, so a test can follow its retries, and ends a storm on clearFaults', async () => {
      fake.failNext('message', 1_000, { status: 503 });
      expect((await request(fake, MESSAGE_PATH, { token, json: inboundMessage('1', 'hi', '1:7') })).status).toBe(503);
      fake.clearFaults();
      expect((await request(fake, MESSAGE_PATH, { token, json: inboundMessage('1', 'hi', '1:7') })).status).toBe(200);
      expect(fake.requests.filter((entry) => entry.route === 'message').map((entry) => [entry.messageId, entry.status])).toEqual([['1:7', 503], ['1:7', 200]]);
    });

    it('stamps when each request arrived and when it was answered, so overlapping requests show', async () => {
      const messageRequests = () => fake.requests.filter((entry) => entry.route === 'message');
      fake.stall('message', 300, 1);
      const startedAtMs = nowMs;
      const held = request(fake, MESSAGE_PATH, { token, json: inboundMessage('1', 'held', '1:1') });
      while (messageRequests().length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(messageRequests()[0]?.answeredAtMs).toBeUndefined(); // in flight
      nowMs += 100;
      expect((await request(fake, MESSAGE_PATH, { token, json: inboundMessage('1', 'quick', '1:2') })).status).toBe(200);
      nowMs += 100;
      expect((await held).status).toBe(200);
      // The second started and was answered while the first was held.
      expect(messageRequests().map(({ messageId, startedAtMs: start, atMs, answeredAtMs }) => ({ messageId, start, atMs, answeredAtMs }))).toEqual([
        { messageId: '1:1', start: startedAtMs, atMs: startedAtMs, answeredAtMs: startedAtMs + 200 },
        { messageId: '1:2', start: startedAtMs + 100, atMs: startedAtMs + 100, answeredAtMs: startedAtMs + 100 },
      ]);
    });

    it('can fail the token endpoint too', async () => {
      fake.failNext('token', 1, { status: 503 });
      expect((await requestToken(fake)).status).toBe(503);
      expect((await requestToken(fake)).status).toBe(200);
    });

    it('records customer typing events', async () => {
      const path = `/api/v2/conversations/messages/${INTEGRATION_ID}/inbound/open/event`;
      const event = { channel: { from: { id: '1', idType: 'Opaque' }, time: '2025-03-14T09:28:00.000Z' }, events: [{ eventType: 'Typing' }] };
      expect((await request(fake, path, { token, json: event })).body).toMatchObject({ type: 'Event', events: [{ eventType: 'Typing' }] });
      expect((await fake.waitForEvents())[0]?.body).toEqual(event);
    });

    it('resolves waitForInbound when a matching message arrives and rejects on timeout', async () => {
      const arrival = fake.waitForInbound((record) => record.body.text === 'late one');
      await request(fake, MESSAGE_PATH, { token, json: inboundMessage('1', 'late one') });
      expect((await arrival)[0]?.body.channel.from.id).toBe('1');

      await expect(fake.waitForReceipts(() => true, 1, 50)).rejects.toThrow('timed out after 50 ms waiting for 1 matching receipts');
    });
  });

  describe('integrations API', () => {
    it('creates, reads, lists, updates and deletes open messaging integrations', async () => {
      const token = await accessToken(fake);
      const tooShortSecret = await request(fake, INTEGRATIONS_PATH, {
        token,
        json: { name: 'tg', outboundNotificationWebhookUrl: 'https://bridge.example/genesys/webhook/default', outboundNotificationWebhookSignatureSecretToken: '15-chars-secret' },
      });
      expect(tooShortSecret.status).toBe(400);

      const created = await request(fake, INTEGRATIONS_PATH, {
        token,
        json: { name: 'tg', outboundNotificationWebhookUrl: 'https://bridge.example/genesys/webhook/default', outboundNotificationWebhookSignatureSecretToken: WEBHOOK_SECRET },
      });
      expect(created.body).toMatchObject({ name: 'tg', outboundNotificationWebhookUrl: 'https://bridge.example/genesys/webhook/default', createStatus: 'Completed', status: 'Active' });
      expect(created.body).not.toHaveProperty('outboundNotificationWebhookSignatureSecretToken');
      const createdPath = `${INTEGRATIONS_PATH}/${String(created.body['id'])}`;
      expect(fake.integration(String(created.body['id']))?.webhookSecret).toBe(WEBHOOK_SECRET);

      expect((await request(fake, createdPath, { token })).body['name']).toBe('tg');
      expect((await request(fake, INTEGRATIONS_PATH, { token })).body['total']).toBe(2);
      expect((await request(fake, createdPath, { token, method: 'PATCH', json: { name: 'renamed' } })).body['name']).toBe('renamed');
      expect((await request(fake, createdPath, { token, method: 'DELETE' })).status).toBe(204);
      expect((await request(fake, createdPath, { token })).status).toBe(404);
    });
  });

  describe('agent messages', () => {
    let receiver: RecordingReceiver;

    beforeEach(async () => {
      receiver = await RecordingReceiver.start();
      fake.addIntegration(INTEGRATION_ID, { webhookUrl: receiver.url('/genesys/webhook/default'), webhookSecret: WEBHOOK_SECRET, webhookHeaders: { 'x-tenant': 'acme' } });
    });

    afterEach(async () => {
      await receiver.close();
    });

    it('POSTs a signed outbound message in the conversation of the customer', async () => {
      const token = await accessToken(fake);
      const inbound = await request(fake, `${MESSAGE_PATH}?prefetchConversationId=true`, { token, json: inboundMessage('7000000001', 'hello') });

      const sent = await fake.sendAgentMessage(INTEGRATION_ID, { toId: '7000000001', text: 'Hi Ivan' });
      expect(sent.status).toBe(200);
      const [received] = await receiver.waitForRequests(1);
      if (!received) throw new Error('the webhook received nothing');

      const expected = Buffer.from(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(received.rawBody).digest('base64')}`);
      const given = Buffer.from(String(received.headers['x-hub-signature-256']));
      expect(given.length === expected.length && timingSafeEqual(given, expected)).toBe(true);
      expect(received.headers['x-tenant']).toBe('acme');
      expect(JSON.parse(received.rawBody.toString('utf8'))).toEqual({
        id: sent.id,
        channel: {
          id: INTEGRATION_ID,
          platform: 'Open',
          type: 'Private',
          messageId: sent.id,
          to: { id: '7000000001', idType: 'Opaque' },
          from: { nickname: 'Telegram Bot Channel', id: INTEGRATION_ID, idType: 'Opaque' },
          time: '2025-03-14T09:00:00.000Z',
          metadata: { subType: 'None' },
        },
        type: 'Text',
        text: 'Hi Ivan',
        originatingEntity: 'Human',
        direction: 'Outbound',
        conversationId: inbound.body['conversationId'],
      });
    });

    it('prepares a signed message without posting it, for a test that posts it as often as Genesys would', async () => {
      const prepared = fake.prepareAgentMessage(INTEGRATION_ID, { toId: '7000000001', text: 'Hi again' });
      expect(receiver.received).toHaveLength(0);
      expect(prepared.webhookUrl).toBe(receiver.url('/genesys/webhook/default'));
      expect(prepared.headers).toMatchObject({ 'content-type': 'application/json', 'x-tenant': 'acme', 'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(prepared.bytes).digest('base64')}` });
      expect(JSON.parse(prepared.bytes.toString('utf8'))).toEqual(prepared.body);
      expect(prepared.body).toMatchObject({ id: prepared.id, text: 'Hi again', channel: { to: { id: '7000000001' }, time: '2025-03-14T09:00:00.000Z' } });
      expect(fake.conversations()[0]?.messages.map((message) => message.genesysMessageId)).toEqual([prepared.id]);
    });

    it('takes a structured response to an agent message of the open conversation, and refuses one once that conversation ended', async () => {
      const token = await accessToken(fake);
      const question = fake.prepareAgentMessage(INTEGRATION_ID, { toId: '42', text: 'Resolved?' });
      const response = (messageId: string) => ({
        channel: { messageId, time: '2025-03-14T09:00:05.000Z', from: { id: '42', idType: 'Opaque' } },
        buttonResponse: { type: 'QuickReply', text: 'Yes', payload: 'RESOLVED_YES' },
        originatingMessageId: question.id,
      });
      const accepted = await request(fake, STRUCTURED_PATH, { token, json: response('42:cb:1') });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ type: 'Structured', originatingMessageId: question.id, content: [{ contentType: 'ButtonResponse', buttonResponse: { payload: 'RESOLVED_YES' } }] });
      const firstConversationId = fake.conversations()[0]?.conversationId;
      expect(fake.structuredResponses).toMatchObject([{ body: response('42:cb:1'), conversationId: firstConversationId }]);
      expect(fake.requests.at(-1)).toMatchObject({ route: 'structured_response', messageId: '42:cb:1', status: 200 });

      fake.endConversation(INTEGRATION_ID, '42');
      const refused = await request(fake, STRUCTURED_PATH, { token, json: response('42:cb:2') });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'bad.request', status: 400 });
      expect(fake.structuredResponses).toHaveLength(1);
      const next = await request(fake, `${MESSAGE_PATH}?prefetchConversationId=true`, { token, json: inboundMessage('42', 'hello again') });
      expect(next.body['conversationId']).toEqual(expect.any(String));
      expect(next.body['conversationId']).not.toBe(firstConversationId);
    });

    it('keeps the agent view with inbound, outbound and the receipt the bridge posted', async () => {
      const token = await accessToken(fake);
      await request(fake, MESSAGE_PATH, { token, json: inboundMessage('42', 'my order?') });
      const reply = await fake.sendAgentMessage(INTEGRATION_ID, { toId: '42', text: 'Checking' });
      const receipt = { id: reply.id, channel: { to: { id: '42', idType: 'Opaque' }, time: '2025-03-14T09:00:01.000Z' }, status: 'Delivered', isFinalReceipt: true };
      expect((await request(fake, RECEIPT_PATH, { token, json: receipt })).body).toMatchObject({ type: 'Receipt', status: 'Delivered' });
      expect((await fake.waitForReceipts((record) => record.body.id === reply.id))[0]?.matchedAgentMessage).toBe(true);

      expect(fake.conversations()).toEqual([
        {
          integrationId: INTEGRATION_ID,
          customerId: '42',
          conversationId: expect.any(String),
          nickname: '@ivan',
          messages: [
            { direction: 'Inbound', genesysMessageId: expect.any(String), text: 'my order?', attachments: [], atMs: nowMs },
            { direction: 'Outbound', genesysMessageId: reply.id, text: 'Checking', attachments: [], atMs: nowMs, receipt: { status: 'Delivered' } },
          ],
        },
      ]);
    });

    it('sends Structured messages of each type in the captured shapes, and keeps them in the agent view', async () => {
      const structured = [
        ...quickReplies('Yes', { text: 'Talk to a human', payload: 'agent' }),
        cardContent({ title: 'Blue shirt', image: 'https://shop.example/blue.png', actions: [postbackAction('Buy', 'buy-42'), linkAction('Details', 'https://shop.example/42')] }),
        carouselContent([{ title: 'Card 1', actions: [postbackAction('Option1')] }]),
        datePickerContent({ title: 'When?', availableTimes: [{ dateTime: '2025-05-30T12:00:00Z', duration: 1800 }] }),
        notificationContent({ header: { text: 'Hello' }, body: { text: 'Hi Happy', parameters: [{ name: 'name', text: 'Happy' }] }, buttons: [], footer: { text: 'Bye' } }),
      ];
      const sent = await fake.sendAgentMessage(INTEGRATION_ID, { toId: '42', type: 'Structured', text: 'Do you want to proceed?', structured, originatingEntity: 'Bot' });
      const [received] = await receiver.waitForRequests(1);
      const body = JSON.parse(received?.rawBody.toString('utf8') ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({ id: sent.id, type: 'Structured', text: 'Do you want to proceed?', originatingEntity: 'Bot', direction: 'Outbound' });
      expect(body['content']).toEqual([
        { contentType: 'QuickReply', quickReply: { text: 'Yes', payload: 'Yes', action: 'Message' } },
        { contentType: 'QuickReply', quickReply: { text: 'Talk to a human', payload: 'agent', action: 'Message' } },
        { contentType: 'Card', card: { title: 'Blue shirt', image: 'https://shop.example/blue.png', actions: [{ type: 'Postback', text: 'Buy', payload: 'buy-42' }, { type: 'Link', text: 'Details', url: 'https://shop.example/42' }] } },
        { contentType: 'Carousel', carousel: { cards: [{ title: 'Card 1', actions: [{ type: 'Postback', text: 'Option1', payload: 'Option1' }] }] } },
        { contentType: 'DatePicker', datePicker: { title: 'When?', availableTimes: [{ dateTime: '2025-05-30T12:00:00Z', duration: 1800 }] } },
        { contentType: 'Notification', template: { header: { text: 'Hello' }, body: { text: 'Hi Happy', parameters: [{ name: 'name', text: 'Happy' }] }, buttons: [], footer: { text: 'Bye' } } },
      ]);
      expect(fake.conversations()[0]?.messages).toEqual([expect.objectContaining({ genesysMessageId: sent.id, text: 'Do you want to proceed?', structured })]);
    });

    it('sends typing events and hosts attachment downloads', async () => {
      const typing = await fake.sendAgentMessage(INTEGRATION_ID, { toId: '42', type: 'Event' });
      expect(typing.body).toMatchObject({ type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }] });

      const attachment = fake.hostDownload(Buffer.from('%PDF-1.7'), { mime: 'application/pdf', filename: 'invoice.pdf' });
      const withFile = await fake.sendAgentMessage(INTEGRATION_ID, { toId: '42', attachment });
      expect(withFile.body['content']).toEqual([{ contentType: 'Attachment', attachment: expect.objectContaining({ mediaType: 'File', filename: 'invoice.pdf', contentSizeBytes: 8 }) }]);
      const download = await fetch(attachment.url);
      expect(download.headers.get('content-type')).toBe('application/pdf');
      expect(await download.text()).toBe('%PDF-1.7');
      expect(fake.conversations()[0]?.messages).toHaveLength(1); // typing is not a transcript message
    });
  });
});

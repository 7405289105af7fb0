import { hubSignature, type TelegramCall } from '@tgg/emulators';
import { BridgeHarness, HARNESS_CREDENTIALS, aTextUpdate, eventually } from '@tgg/testing';
import pg from 'pg';

/** Per-chat pace used in this file: fast enough to keep the suite short, slow enough to measure. */
const PER_CHAT_PER_S = 5;
const PER_CHAT_BURST = 3;
const GLOBAL_PER_S = 100;
/*
 * Both limits are promised at Telegram, so they are measured on the Telegram emulator's clock, with
 * no slack: a send holds its slot from grant until it was answered (send-rate-limiter.ts), and the
 * emulator stamps each request between those two instants, however late the test process is.
 */

const integrationId = HARNESS_CREDENTIALS.integrationId;

/**
 * Whether sends at `timesMs` (sorted) keep a GCRA pace of `perSecond` with `burst`: for any two
 * sends i < j, at least (j - i - (burst - 1)) intervals lie between them.
 */
function paceViolations(timesMs: number[], perSecond: number, burst: number): string[] {
  const intervalMs = 1000 / perSecond;
  const violations: string[] = [];
  for (let i = 0; i < timesMs.length; i++) {
    for (let j = i + burst; j < timesMs.length; j++) {
      const needed = (j - i - (burst - 1)) * intervalMs;
      const actual = (timesMs[j] ?? 0) - (timesMs[i] ?? 0);
      if (actual < needed) violations.push(`sends ${i}→${j}: ${actual} ms < ${needed.toFixed(0)} ms`);
    }
  }
  return violations;
}

/** The most requests Telegram received in any sliding second [t, t + 1000 ms), by its own clock. */
function busiestSecondOf(calls: TelegramCall[]): number {
  const times = calls.map((call) => call.atMs).sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[j] ?? Infinity) < (times[i] ?? 0) + 1000) j++;
    busiest = Math.max(busiest, j - i);
  }
  return busiest;
}

/** How many Bot API requests one outbound process made (its own /metrics). */
async function telegramRequestsOf(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return [...text.matchAll(/^tgg_telegram_request_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

/** The shortest time covering burst + 1 consecutive sends: under the pace it is at least one interval. */
function shortestSpan(timesMs: number[]): number {
  let shortest = Infinity;
  for (let i = 0; i + PER_CHAT_BURST < timesMs.length; i++) shortest = Math.min(shortest, (timesMs[i + PER_CHAT_BURST] ?? 0) - (timesMs[i] ?? 0));
  return shortest;
}

describe('outbound path: Genesys webhook → outbound → Telegram, with receipts', () => {
  let bridge: BridgeHarness;
  let db: pg.Client;
  let nextChatId = 6_100_000_001;

  const newChat = () => String(nextChatId++);
  const sendsTo = (chatId: string, method?: string): TelegramCall[] =>
    bridge.telegram.calls.filter((call) => call.params['chat_id'] === chatId && (method === undefined || call.method === method) && call.status === 200);

  async function customerWrote(chatId: string, options: { blocked?: boolean } = {}): Promise<void> {
    await db.query(
      `INSERT INTO conversations (id, channel_id, chat_id, blocked, updated_at)
       SELECT gen_random_uuid(), id, $1, $2, now() FROM channels WHERE name = 'default'`,
      [chatId, options.blocked ?? false],
    );
  }

  async function reply(chatId: string, text: string): Promise<string> {
    const sent = await bridge.genesys.sendAgentMessage(integrationId, { toId: chatId, text });
    expect(sent.status).toBe(200);
    return sent.id;
  }

  async function postWebhook(body: string | Buffer, signature: string | null, channel = 'default'): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    return fetch(`${bridge.url('outbound')}/genesys/webhook/${channel}`, { method: 'POST', headers, body });
  }

  /**
   * Resolves when every one of `ids` has a Delivered receipt. Receipts are at least once (a receipt
   * job re-run after a crash posts again), so each id counts once however many arrive.
   */
  async function deliveredReceiptsOf(ids: string[], timeoutMs: number): Promise<void> {
    const wanted = new Set(ids);
    const seen = new Set<string>();
    await bridge.genesys.waitForReceipts(
      (entry) => {
        const id = entry.body.id;
        if (!wanted.has(id) || entry.body.status !== 'Delivered' || seen.has(id)) return false;
        seen.add(id);
        return true;
      },
      wanted.size,
      timeoutMs,
    );
  }

  const receiptsOf = (genesysMessageId: string) => bridge.genesys.receipts.filter((receipt) => receipt.body.id === genesysMessageId);

  beforeAll(async () => {
    bridge = await BridgeHarness.start({
      services: ['ingress', 'sequencer', 'dispatcher', 'outbound'],
      windowMs: 0,
      env: { OUTBOUND_PER_CHAT_PER_S: String(PER_CHAT_PER_S), OUTBOUND_GLOBAL_PER_S: String(GLOBAL_PER_S) },
    });
    db = new pg.Client({ connectionString: bridge.db.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await bridge?.stop();
  });

  it('is ready on Redis and the loaded channels, and reports Telegram getMe and the Genesys token on /health/dependencies', async () => {
    const ready = await fetch(`${bridge.url('outbound')}/health/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { details: Record<string, unknown> }).details).toEqual({ redis: { status: 'up' }, channels: { status: 'up', detail: '1 channel(s)' } });
    await eventually(async () => {
      const response = await fetch(`${bridge.url('outbound')}/health/dependencies`);
      const body = (await response.json()) as { dependencies: Record<string, { status: string }>; channels: Record<string, Record<string, { status: string; detail?: string }>> };
      expect(response.status).toBe(200);
      expect(body.dependencies).toEqual({ postgres: { status: 'up' }, redis: { status: 'up' }, 'genesys-token': { status: 'up' } });
      // The harness never registers a webhook with Telegram: reported, and still ready.
      expect(body.channels['default']).toEqual({
        'telegram-getme': { status: 'up' },
        'telegram-webhook': { status: 'down', detail: 'no webhook registered: run `npm run cli -- webhook set --channel default`' },
      });
    });
  });

  it('refuses a missing, wrong or stale signature (tampered body) with 401 and sends nothing', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    const body = JSON.stringify({ id: 'a'.repeat(32), channel: { to: { id: chatId, idType: 'Opaque' }, time: new Date().toISOString() }, type: 'Text', text: 'hi' });
    const secret = HARNESS_CREDENTIALS.genesysWebhookSecret;
    const goodSignature = hubSignature(Buffer.from(body), secret);
    const cases: [string, Promise<Response>, number, string][] = [
      ['missing header', postWebhook(body, null), 401, 'bad_signature'],
      ['wrong secret', postWebhook(body, hubSignature(Buffer.from(body), 'not-the-webhook-secret')), 401, 'bad_signature'],
      ['tampered body', postWebhook(body.replace('"hi"', '"hi!"'), goodSignature), 401, 'bad_signature'],
      ['hex instead of base64', postWebhook(body, `sha256=${'0'.repeat(64)}`), 401, 'bad_signature'],
      ['unknown channel', postWebhook(body, goodSignature, 'nope'), 404, 'unknown_channel'],
      ['signed, not JSON', postWebhook('{"id":', hubSignature(Buffer.from('{"id":'), secret)), 400, 'invalid_json'],
      ['signed, not a message', postWebhook('{"id":"x"}', hubSignature(Buffer.from('{"id":"x"}'), secret)), 400, 'invalid_message'],
      ['over 1 MiB', postWebhook(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }), null), 413, 'body_too_large'],
    ];
    for (const [name, request, status, code] of cases) {
      const response = await request;
      const answer = (await response.json()) as { error: string; message: string };
      expect({ name, status: response.status, error: answer.error }).toEqual({ name, status, error: code });
    }
    // The correctly signed original goes through: the refusals above were about the signature alone.
    expect((await postWebhook(body, goodSignature)).status).toBe(200);
    await bridge.telegram.waitForCall((call) => call.params['chat_id'] === chatId);
    expect(sendsTo(chatId).map((call) => call.params['text'])).toEqual(['hi']);
  });

  it('sends a 9,500-character reply as ordered parts of ≤ 4096 characters, then a Delivered receipt', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    const paragraphs = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')} ${'lorem ipsum '.repeat(41)}`.slice(0, 498));
    const text = paragraphs.join('\n\n');
    expect(text.length).toBeGreaterThanOrEqual(9_500);
    const genesysMessageId = await reply(chatId, text);

    const [receipt] = await bridge.genesys.waitForReceipts((entry) => entry.body.id === genesysMessageId, 1, 20_000);
    expect(receipt?.body).toMatchObject({ status: 'Delivered', isFinalReceipt: true, channel: { to: { id: chatId } } });
    const parts = sendsTo(chatId, 'sendMessage').map((call) => String(call.params['text']));
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    expect(parts.join('')).toBe(text);

    await eventually(async () => {
      const { rows } = await db.query('SELECT status, parts_sent, telegram_message_id::int AS telegram_message_id FROM messages WHERE genesys_message_id = $1', [genesysMessageId]);
      expect(rows).toEqual([{ status: 'delivered', parts_sent: parts.length - 1, telegram_message_id: 1 }]);
    });
    const metrics = await (await fetch(`${bridge.url('outbound')}/metrics`)).text();
    expect(metrics).toMatch(/processing_time_seconds_count\{[^}]*direction="outbound",channel="default"\} [1-9]/);
    expect(metrics).toMatch(/tgg_replies_total\{[^}]*outcome="delivered"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/tgg_telegram_request_duration_seconds_count\{[^}]*method="sendMessage",status="200"\} [1-9]/);
  });

  it('answers 200 to the same webhook twice and sends it once', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    const first = await bridge.genesys.sendAgentMessage(integrationId, { toId: chatId, text: 'only once' });
    const bytes = Buffer.from(JSON.stringify(first.body));
    const again = await postWebhook(bytes, hubSignature(bytes, HARNESS_CREDENTIALS.genesysWebhookSecret));
    expect([first.status, again.status]).toEqual([200, 200]);
    await bridge.genesys.waitForReceipts((entry) => entry.body.id === first.id);
    const marker = await reply(chatId, 'after the duplicate');
    await bridge.genesys.waitForReceipts((entry) => entry.body.id === marker);
    // The marker went through the same chat queue after the duplicate: had it been sent, it would be here.
    expect(sendsTo(chatId).map((call) => call.params['text'])).toEqual(['only once', 'after the duplicate']);
    expect(receiptsOf(first.id)).toHaveLength(1);
  });

  it('waits retry_after on a Telegram 429, then delivers once', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    bridge.telegram.failNext('sendMessage', 1, { status: 429, description: 'Too Many Requests: retry after 1', retryAfterS: 1 }, { chatId });
    const genesysMessageId = await reply(chatId, 'patience');
    await bridge.genesys.waitForReceipts((entry) => entry.body.id === genesysMessageId, 1, 20_000);
    const attempts = bridge.telegram.calls.filter((call) => call.params['chat_id'] === chatId);
    expect(attempts.map((call) => call.status)).toEqual([429, 200]);
    expect((attempts[1]?.atMs ?? 0) - (attempts[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(receiptsOf(genesysMessageId).map((receipt) => receipt.body.status)).toEqual(['Delivered']);
  });

  it('marks a chat blocked on 403, tells Genesys RecipientOptedOut, and does not try again', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    bridge.telegram.block(chatId);
    const genesysMessageId = await reply(chatId, 'are you there?');
    const [receipt] = await bridge.genesys.waitForReceipts((entry) => entry.body.id === genesysMessageId, 1, 20_000);
    expect(receipt?.body).toMatchObject({ status: 'Failed', isFinalReceipt: true, reasons: [{ code: 'RecipientOptedOut', message: 'Telegram 403: Forbidden: bot was blocked by the user' }] });
    expect(bridge.telegram.calls.filter((call) => call.params['chat_id'] === chatId)).toHaveLength(1);
    await eventually(async () => {
      const { rows } = await db.query('SELECT blocked FROM conversations WHERE chat_id = $1', [chatId]);
      expect(rows).toEqual([{ blocked: true }]);
    });

    const next = await reply(chatId, 'second try');
    const [second] = await bridge.genesys.waitForReceipts((entry) => entry.body.id === next, 1, 20_000);
    expect(second?.body).toMatchObject({ status: 'Failed', reasons: [{ code: 'RecipientOptedOut' }] });
    expect(bridge.telegram.calls.filter((call) => call.params['chat_id'] === chatId)).toHaveLength(1);
  });

  it('answers a reply to a chat that never wrote with a Failed InvalidDestination receipt, not an error', async () => {
    const chatId = newChat();
    const genesysMessageId = await reply(chatId, 'hello stranger');
    const [receipt] = await bridge.genesys.waitForReceipts((entry) => entry.body.id === genesysMessageId, 1, 20_000);
    expect(receipt?.body).toMatchObject({ status: 'Failed', reasons: [{ code: 'InvalidDestination' }] });
    expect(bridge.telegram.calls.filter((call) => call.params['chat_id'] === chatId)).toHaveLength(0);
  });

  it('reaches a customer who wrote through ingress, and shows typing for an agent typing event', async () => {
    const chatId = newChat();
    await bridge.postUpdate(aTextUpdate({ updateId: 90_001, chatId: Number(chatId), messageId: 1, text: 'I need help' }));
    await bridge.genesys.waitForInbound((record) => record.body.channel.from.id === chatId, 1, 20_000);
    await eventually(async () => {
      const { rows } = await db.query('SELECT 1 FROM conversations WHERE chat_id = $1', [chatId]);
      expect(rows).toHaveLength(1);
    });
    const typing = await bridge.genesys.sendAgentMessage(integrationId, { toId: chatId, type: 'Event' });
    expect(typing.status).toBe(200);
    await bridge.telegram.waitForCall((call) => call.method === 'sendChatAction' && call.params['chat_id'] === chatId);
    const genesysMessageId = await reply(chatId, 'Hi! How can I help?');
    await bridge.genesys.waitForReceipts((entry) => entry.body.id === genesysMessageId, 1, 20_000);
    expect(bridge.telegram.calls.filter((call) => call.params['chat_id'] === chatId).map((call) => [call.method, call.params['action'] ?? call.params['text']])).toEqual([
      ['sendChatAction', 'typing'],
      ['sendMessage', 'Hi! How can I help?'],
    ]);
  });

  it('uploads a photo with its caption, and a document with 1024 characters of caption and the rest as text', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n'), Buffer.alloc(20_000, 1)]);
    const photo = bridge.genesys.hostDownload(png, { mime: 'image/png', filename: 'screen.png' });
    const photoReply = await bridge.genesys.sendAgentMessage(integrationId, { toId: chatId, text: 'This screen?', attachment: photo });
    await bridge.genesys.waitForReceipts((entry) => entry.body.id === photoReply.id, 1, 20_000);

    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(80_000, 2)]);
    const document = bridge.genesys.hostDownload(pdf, { mime: 'application/pdf', filename: 'invoice.pdf' });
    // The download needs the bearer token this time: anonymous first, then with the token.
    bridge.genesys.failNext('download', 1, { status: 401 });
    const longText = `${'word '.repeat(300)}\n\n${'more '.repeat(100)}`;
    const documentReply = await bridge.genesys.sendAgentMessage(integrationId, { toId: chatId, text: longText, attachment: document });

    await bridge.genesys.waitForReceipts((entry) => entry.body.id === documentReply.id, 1, 20_000);
    expect(receiptsOf(photoReply.id).map((receipt) => receipt.body.status)).toEqual(['Delivered']);
    expect(receiptsOf(documentReply.id).map((receipt) => receipt.body.status)).toEqual(['Delivered']);
    const calls = sendsTo(chatId);
    expect(calls.map((call) => call.method)).toEqual(['sendPhoto', 'sendDocument', 'sendMessage']);
    expect(calls[0]?.params['caption']).toBe('This screen?');
    expect(calls[0]?.files).toEqual([{ field: 'photo', filename: 'screen.png', size: png.length, mime: 'image/png' }]);
    const caption = String(calls[1]?.params['caption']);
    expect(caption.length).toBeLessThanOrEqual(1024);
    expect(calls[1]?.files).toEqual([{ field: 'document', filename: 'invoice.pdf', size: pdf.length, mime: 'application/pdf' }]);
    expect(caption + String(calls[2]?.params['text'])).toBe(longText);
    const downloads = bridge.genesys.requests.filter((request) => request.route === 'download' && request.path.endsWith(String(document.id)));
    expect(downloads.map((request) => request.status)).toEqual([401, 200]);
  });

  it('tells the customer when a file is over Telegram\'s 50 MB limit and sends a Failed receipt', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    const hosted = bridge.genesys.hostDownload(Buffer.from('pretend this is big'), { mime: 'video/mp4', filename: 'recording.mp4' });
    const sent = await bridge.genesys.sendAgentMessage(integrationId, { toId: chatId, attachment: { ...hosted, contentSizeBytes: 60 * 1024 * 1024 } });
    const [receipt] = await bridge.genesys.waitForReceipts((entry) => entry.body.id === sent.id, 1, 20_000);
    expect(receipt?.body).toMatchObject({ status: 'Failed', reasons: [{ code: 'InvalidMediaContentLength' }] });
    const calls = sendsTo(chatId);
    expect(calls.map((call) => call.method)).toEqual(['sendMessage']);
    expect(String(calls[0]?.params['text'])).toContain('"recording.mp4" (60.0 MB), but Telegram does not accept files over 50 MB');
  });

  it('acknowledges Genesys receipts and unknown types with 200 and sends nothing', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    for (const type of ['Receipt', 'Hologram']) {
      const body = JSON.stringify({ id: `${type}-1`, channel: { to: { id: chatId } }, type, status: 'Delivered' });
      expect((await postWebhook(body, hubSignature(Buffer.from(body), HARNESS_CREDENTIALS.genesysWebhookSecret))).status).toBe(200);
    }
    const marker = await reply(chatId, 'marker');
    await bridge.genesys.waitForReceipts((entry) => entry.body.id === marker);
    expect(sendsTo(chatId).map((call) => call.params['text'])).toEqual(['marker']);
  });

  it('retries Telegram 5xx until Telegram recovers, holding the chat so its order is kept, and dead-letters nothing', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    // More failures than the old attempt budget allowed before dead-lettering (TELEGRAM_MAX_ATTEMPTS was 4 here).
    bridge.telegram.failNext('sendMessage', 5, { status: 502, description: 'Bad Gateway' }, { chatId });
    const held = await reply(chatId, 'held back by an outage');
    const next = await reply(chatId, 'sent after it');
    await deliveredReceiptsOf([held, next], 40_000);
    expect(bridge.telegram.calls.filter((call) => call.params['chat_id'] === chatId).map((call) => [call.params['text'], call.status])).toEqual([
      ...Array.from({ length: 5 }, () => ['held back by an outage', 502]),
      ['held back by an outage', 200],
      ['sent after it', 200],
    ]);
    expect(bridge.genesys.receipts.filter((receipt) => receipt.body.id === held && receipt.body.status === 'Failed')).toEqual([]);
    const { rows } = await db.query('SELECT status FROM messages WHERE genesys_message_id = $1', [held]);
    expect(rows).toEqual([{ status: 'delivered' }]);
  }, 60_000);

  it('dead-letters a reply Telegram refuses for good (400) at once, with a Failed receipt, and lets the chat move on', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    bridge.telegram.failNext('sendMessage', 1, { status: 400, description: "Bad Request: can't parse entities" }, { chatId });
    const doomed = await reply(chatId, 'this one will not make it');
    const next = await reply(chatId, 'but this one will');
    const [failed] = await bridge.genesys.waitForReceipts((entry) => entry.body.id === doomed, 1, 30_000);
    expect(failed?.body).toMatchObject({ status: 'Failed', isFinalReceipt: true, reasons: [{ code: 'InvalidMessageStructure', message: "Telegram 400: Bad Request: can't parse entities" }] });
    await deliveredReceiptsOf([next], 20_000);
    expect(bridge.telegram.calls.filter((call) => call.params['chat_id'] === chatId).map((call) => [call.params['text'], call.status])).toEqual([
      ['this one will not make it', 400],
      ['but this one will', 200],
    ]);
    await eventually(async () => {
      const { rows } = await db.query('SELECT status FROM messages WHERE genesys_message_id = $1', [doomed]);
      expect(rows).toEqual([{ status: 'dead_lettered' }]);
    });
  }, 40_000);

  it('retries a receipt Genesys refused without sending to Telegram again', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    bridge.genesys.failNext('receipt', 2, { status: 503 });
    const genesysMessageId = await reply(chatId, 'receipt will need retries');
    await deliveredReceiptsOf([genesysMessageId], 20_000);
    const receiptAttempts = bridge.genesys.requests.filter((request) => request.route === 'receipt' && request.status === 503);
    expect(receiptAttempts.length).toBeGreaterThanOrEqual(2);
    expect(sendsTo(chatId).map((call) => call.params['text'])).toEqual(['receipt will need retries']);
  }, 30_000);

  it('keeps one chat in order at its per-chat pace (30 replies, burst tolerated)', async () => {
    const chatId = newChat();
    await customerWrote(chatId);
    const texts = Array.from({ length: 30 }, (_, i) => `one-chat reply ${i + 1}`);
    const ids: string[] = [];
    for (const text of texts) ids.push(await reply(chatId, text));
    await deliveredReceiptsOf(ids, 30_000);
    const calls = sendsTo(chatId);
    expect(calls.map((call) => call.params['text'])).toEqual(texts);
    const times = calls.map((call) => call.atMs);
    expect(paceViolations(times, PER_CHAT_PER_S, PER_CHAT_BURST)).toEqual([]);
    const firstToLastMs = (times.at(-1) ?? 0) - (times[0] ?? 0);
    console.log(
      `one chat, 30 replies at ${PER_CHAT_PER_S}/s (burst ${PER_CHAT_BURST}): ${firstToLastMs} ms first to last send ` +
        `(${((times.length - 1) / (firstToLastMs / 1000)).toFixed(2)} msg/s); shortest span of ${PER_CHAT_BURST + 1} consecutive sends ${shortestSpan(times)} ms, allowed ≥ ${1000 / PER_CHAT_PER_S} ms`,
    );
  }, 40_000);

  it('delivers 50 chats × 50 replies in parallel: per-chat order and pace, global pace', async () => {
    const chats = Array.from({ length: 50 }, () => newChat());
    await Promise.all(chats.map((chatId) => customerWrote(chatId)));
    const textsOf = (chatId: string) => Array.from({ length: 50 }, (_, i) => `chat ${chatId} reply ${i + 1}`);
    const startedAtMs = Date.now();
    // Chats in parallel; within a chat one webhook at a time, as an agent types them.
    const idsByChat = await Promise.all(chats.map(async (chatId) => {
      const ids: string[] = [];
      for (const text of textsOf(chatId)) ids.push(await reply(chatId, text));
      return ids;
    }));
    const acceptedAtMs = Date.now();
    const allIds = new Set(idsByChat.flat());
    await deliveredReceiptsOf([...allIds], 120_000);
    const doneAtMs = Date.now();

    const chatSet = new Set(chats);
    const sends = bridge.telegram.calls.filter((call) => chatSet.has(String(call.params['chat_id'])) && call.status === 200);
    expect(sends).toHaveLength(2500);
    const shortestSpans: number[] = [];
    for (const chatId of chats) {
      const calls = sendsTo(chatId);
      expect(calls.map((call) => call.params['text'])).toEqual(textsOf(chatId));
      expect(paceViolations(calls.map((call) => call.atMs), PER_CHAT_PER_S, PER_CHAT_BURST)).toEqual([]);
      shortestSpans.push(shortestSpan(calls.map((call) => call.atMs)));
    }
    const busiestSecond = busiestSecondOf(sends);
    expect(busiestSecond).toBeLessThanOrEqual(GLOBAL_PER_S);
    const receipts = bridge.genesys.receipts.filter((entry) => allIds.has(entry.body.id));
    expect(receipts.every((entry) => entry.body.status === 'Delivered')).toBe(true);
    console.log(
      `50 chats × 50 replies: webhooks accepted in ${acceptedAtMs - startedAtMs} ms, all delivered and receipted in ${doneAtMs - startedAtMs} ms ` +
        `(${(2500 / ((doneAtMs - startedAtMs) / 1000)).toFixed(0)} msg/s; busiest second ${busiestSecond} sends, global limit ${GLOBAL_PER_S}/s; ` +
        `shortest span of ${PER_CHAT_BURST + 1} consecutive sends to one chat ${Math.min(...shortestSpans)} ms, allowed ≥ ${1000 / PER_CHAT_PER_S} ms)`,
    );
  }, 150_000);

  it('holds the global limit across two outbound replicas sharing one Redis (40 chats × 15 replies)', async () => {
    const replica = await bridge.startReplica('outbound');
    try {
      const chats = Array.from({ length: 40 }, () => newChat());
      await Promise.all(chats.map((chatId) => customerWrote(chatId)));
      const textsOf = (chatId: string) => Array.from({ length: 15 }, (_, i) => `replica test ${chatId} #${i + 1}`);
      const requestsBefore = await telegramRequestsOf(`http://127.0.0.1:${replica.port}`);
      const idsByChat = await Promise.all(chats.map(async (chatId) => {
        const ids: string[] = [];
        for (const text of textsOf(chatId)) ids.push(await reply(chatId, text));
        return ids;
      }));
      await deliveredReceiptsOf(idsByChat.flat(), 60_000);
      const chatSet = new Set(chats);
      const sends = bridge.telegram.calls.filter((call) => chatSet.has(String(call.params['chat_id'])) && call.status === 200);
      expect(sends).toHaveLength(600);
      for (const chatId of chats) {
        const calls = sendsTo(chatId);
        expect(calls.map((call) => call.params['text'])).toEqual(textsOf(chatId));
        expect(paceViolations(calls.map((call) => call.atMs), PER_CHAT_PER_S, PER_CHAT_BURST)).toEqual([]);
      }
      const busiestSecond = busiestSecondOf(sends);
      expect(busiestSecond).toBeLessThanOrEqual(GLOBAL_PER_S);
      // Both processes sent: the limit was shared, not held by one process doing all the work.
      const byReplica = (await telegramRequestsOf(`http://127.0.0.1:${replica.port}`)) - requestsBefore;
      expect(byReplica).toBeGreaterThan(0);
      expect(byReplica).toBeLessThan(600);
      console.log(`two outbound replicas, 600 sends: busiest second ${busiestSecond} sends (limit ${GLOBAL_PER_S}/s); the replica sent ${byReplica}`);
    } finally {
      await replica.stop();
    }
  }, 90_000);

  it('sends every accepted reply after a kill -9 of outbound mid-burst: exactly once, or one duplicate for the send in flight', async () => {
    const chats = Array.from({ length: 3 }, () => newChat());
    await Promise.all(chats.map((chatId) => customerWrote(chatId)));
    const textsOf = (chatId: string) => Array.from({ length: 12 }, (_, i) => `crash ${chatId} #${i + 1}`);
    const idsByChat = await Promise.all(chats.map(async (chatId) => {
      const ids: string[] = [];
      for (const text of textsOf(chatId)) ids.push(await reply(chatId, text));
      return ids;
    }));
    const chatSet = new Set(chats);
    await bridge.telegram.waitForCalls((call) => chatSet.has(String(call.params['chat_id'])), 12, 20_000);
    await bridge.kill('outbound');
    const sentBeforeKill = bridge.telegram.calls.filter((call) => chatSet.has(String(call.params['chat_id']))).length;
    await bridge.startService('outbound');

    await deliveredReceiptsOf(idsByChat.flat(), 60_000);
    let duplicates = 0;
    for (const chatId of chats) {

      const sent = sendsTo(chatId).map((call) => String(call.params['text']));
      const withoutRepeats = sent.filter((text, i) => text !== sent[i - 1]);
      expect(withoutRepeats).toEqual(textsOf(chatId));
      expect(sent.length - withoutRepeats.length).toBeLessThanOrEqual(1);
      duplicates += sent.length - withoutRepeats.length;
    }
    console.log(`kill -9 after ${sentBeforeKill} of 36 sends: all 36 delivered after restart, ${duplicates} duplicate(s)`);
  }, 90_000);
});

import {
  cardContent,
  carouselContent,
  datePickerContent,
  linkAction,
  notificationContent,
  postbackAction,
  quickReplies,
  type ChatTranscriptEntry,
  type StructuredContentItem,
} from '@tgg/emulators';
import { Redis } from 'ioredis';
import pg from 'pg';
import { KeyboardButtonStore } from '@tgg/telegram';
import { BridgeHarness, HARNESS_CREDENTIALS, redisUrl } from '@tgg/testing';

const integrationId = HARNESS_CREDENTIALS.integrationId;
/** A 1×1 PNG: what a card image download returns. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/**
 * Structured messages through the real outbound service: Genesys (emulator) posts a bot's quick
 * replies, cards, carousels, date pickers and notification templates to the webhook; what the
 * customer's Telegram (emulator) shows is checked message by message, with its keyboard, and the
 * receipt Genesys gets back. Tapping is the inbound direction's business; here the button records
 * behind each callback_data are read from Redis as the tap handler will read them.
 */
describe('structured messages: Genesys Structured → Telegram inline keyboards', () => {
  let bridge: BridgeHarness;
  let db: pg.Client;
  let redis: Redis;
  let buttons: KeyboardButtonStore;
  let nextChatId = 6_200_000_001;

  async function newCustomer(): Promise<string> {
    const chatId = String(nextChatId++);
    await db.query(
      `INSERT INTO conversations (id, channel_id, chat_id, blocked, updated_at)
       SELECT gen_random_uuid(), id, $1, false, now() FROM channels WHERE name = 'default'`,
      [chatId],
    );
    return chatId;
  }

  /** Posts the bot message and waits for its final receipt. */
  async function botSends(chatId: string, structured: StructuredContentItem[], text?: string): Promise<{ id: string; receipt: Record<string, unknown> }> {
    const sent = await bridge.genesys.sendAgentMessage(integrationId, { toId: chatId, type: 'Structured', structured, originatingEntity: 'Bot', ...(text === undefined ? {} : { text }) });
    expect(sent.status).toBe(200);
    const [receipt] = await bridge.genesys.waitForReceipts((entry) => entry.body.id === sent.id, 1, 20_000);
    return { id: sent.id, receipt: receipt?.body as unknown as Record<string, unknown> };
  }

  /** What the customer's chat shows, in order. */
  function chatOf(chatId: string): ChatTranscriptEntry[] {
    return bridge.telegram.userChats(HARNESS_CREDENTIALS.botToken).find((chat) => chat.chatId === chatId)?.messages ?? [];
  }

  /** A message as the customer sees it: text or caption, and button labels row by row (→ URL for link buttons). */
  function shown(entry: ChatTranscriptEntry): { kind: string; text: string | undefined; keyboard?: string[][] } {
    return {
      kind: entry.kind,
      text: entry.text ?? entry.caption,
      ...(entry.keyboard ? { keyboard: entry.keyboard.map((row) => row.map((button) => (button.url ? `${button.text} → ${button.url}` : button.text))) } : {}),
    };
  }

  const callbackDataOf = (entry: ChatTranscriptEntry | undefined) => entry?.keyboard?.flat().flatMap((button) => (button.callbackData ? [button.callbackData] : [])) ?? [];

  beforeAll(async () => {
    bridge = await BridgeHarness.start({ services: ['outbound'], env: { OUTBOUND_PER_CHAT_PER_S: '20', OUTBOUND_GLOBAL_PER_S: '100' } });
    db = new pg.Client({ connectionString: bridge.db.url });
    await db.connect();
    redis = new Redis(redisUrl());
    buttons = new KeyboardButtonStore(redis, bridge.queuePrefix);
  }, 60_000);

  afterAll(async () => {
    await redis?.quit();
    await db?.end();
    await bridge?.stop();
  });

  it('shows quick replies as buttons under the text; each button stands for its Genesys option, with a payload of any length', async () => {
    const chatId = await newCustomer();
    const longPayload = JSON.stringify({ intent: 'agent', note: 'x'.repeat(200) });
    const { id, receipt } = await botSends(chatId, quickReplies('Yes', 'No', { text: 'Talk to a human', payload: longPayload }), 'Do you want to proceed?');

    expect(chatOf(chatId).map(shown)).toEqual([{ kind: 'text', text: 'Do you want to proceed?', keyboard: [['Yes', 'No'], ['Talk to a human']] }]);
    expect(receipt).toMatchObject({ status: 'Delivered', isFinalReceipt: true });
    expect(receipt).not.toHaveProperty('reasons');

    const records = await Promise.all(callbackDataOf(chatOf(chatId)[0]).map((data) => buttons.find(data)));
    expect(records.map((record) => [record?.type, record?.text, record?.payload, record?.originatingMessageId, record?.chatId])).toEqual([
      ['QuickReply', 'Yes', 'Yes', id, chatId],
      ['QuickReply', 'No', 'No', id, chatId],
      ['QuickReply', 'Talk to a human', longPayload, id, chatId],
    ]);
    expect(new Set(records.map((record) => record?.keyboardId)).size).toBe(1);
  });

  it('sends a card as its photo with caption and buttons (Postback → callback, Link → URL)', async () => {
    const chatId = await newCustomer();
    const image = bridge.genesys.hostDownload(PNG, { mime: 'image/png' }).url;
    const { receipt } = await botSends(chatId, [
      cardContent({ title: 'Blue shirt', description: 'Cotton, 29 €', image, actions: [postbackAction('Buy', 'buy-42'), linkAction('Details', 'https://shop.example/42')] }),
    ]);

    expect(chatOf(chatId).map(shown)).toEqual([{ kind: 'photo', text: 'Blue shirt\nCotton, 29 €', keyboard: [['Buy', 'Details → https://shop.example/42']] }]);
    const upload = bridge.telegram.callsTo('sendPhoto').find((call) => call.params['chat_id'] === chatId);
    expect(upload?.files).toEqual([expect.objectContaining({ field: 'photo', size: PNG.length, mime: 'image/png' })]);
    const [buy] = await Promise.all(callbackDataOf(chatOf(chatId)[0]).map((data) => buttons.find(data)));
    expect(buy).toMatchObject({ type: 'Button', text: 'Buy', payload: 'buy-42' });
    expect(receipt).toMatchObject({ status: 'Delivered' });
    expect(receipt).not.toHaveProperty('reasons');
  });

  it('sends a carousel as its cards in order, one message each, after the message text', async () => {
    const chatId = await newCustomer();
    const image = bridge.genesys.hostDownload(PNG, { mime: 'image/png' }).url;
    await botSends(
      chatId,
      [
        carouselContent([
          { title: 'Card 1', description: 'Description 1', image, actions: [postbackAction('Option1'), linkAction('Option3', 'https://www.acme.com/option3')] },
          { title: 'Card 2', description: 'Description 2', actions: [postbackAction('Option4'), postbackAction('Option5')] },
          { title: 'Card 3', image, actions: [postbackAction('Option7')] },
        ]),
      ],
      'Our offers',
    );

    expect(chatOf(chatId).map(shown)).toEqual([
      { kind: 'text', text: 'Our offers' },
      { kind: 'photo', text: 'Card 1\nDescription 1', keyboard: [['Option1', 'Option3 → https://www.acme.com/option3']] },
      { kind: 'text', text: 'Card 2\nDescription 2', keyboard: [['Option4', 'Option5']] },
      { kind: 'photo', text: 'Card 3', keyboard: [['Option7']] },
    ]);
    // One keyboard per message: each card is answered on its own.
    const keyboardIds = await Promise.all(chatOf(chatId).slice(1).map(async (entry) => (await buttons.find(callbackDataOf(entry)[0]))?.keyboardId));
    expect(new Set(keyboardIds).size).toBe(3);
  });

  it('shows a date picker and a notification template as text, and says so in the Delivered receipt', async () => {
    const chatId = await newCustomer();
    const { receipt } = await botSends(chatId, [
      datePickerContent({ title: 'When would you be available?', availableTimes: [{ dateTime: '2025-05-30T12:00:00Z', duration: 1800 }] }),
    ]);
    expect(chatOf(chatId).map(shown)).toEqual([{ kind: 'text', text: 'When would you be available?\n• 2025-05-30 12:00 UTC (30 min)\nPlease reply with the date that suits you.' }]);
    expect(receipt).toMatchObject({ status: 'Delivered', reasons: [{ code: 'UnsupportedMessage', message: expect.stringContaining('DatePicker shown as a list of its dates') }] });

    const notified = await newCustomer();
    const template = { header: { text: 'Hello' }, body: { text: 'Hi Happy, How can I help you?', parameters: [{ name: 'name', text: 'Happy' }] }, buttons: [], footer: { text: 'Goodbye' } };
    const { receipt: notificationReceipt } = await botSends(notified, [notificationContent(template)], 'Hi Happy, How can I help you?');
    expect(chatOf(notified).map(shown)).toEqual([{ kind: 'text', text: 'Hello\nHi Happy, How can I help you?\nGoodbye' }]);
    expect(notificationReceipt).toMatchObject({ status: 'Delivered', reasons: [{ code: 'UnsupportedMessage', message: expect.stringContaining('Notification template') }] });
  });

  it('sends the Delivered receipt again without its reasons when Genesys refuses reasons on Delivered (unverified, so guarded)', async () => {
    const chatId = await newCustomer();
    bridge.genesys.failNext('receipt', 1, { status: 400 });
    const { receipt } = await botSends(chatId, [datePickerContent({ title: 'Pick a day', availableTimes: [{ dateTime: '2025-05-30T12:00:00Z', duration: 1800 }] })]);
    expect(receipt).toMatchObject({ status: 'Delivered' });
    expect(receipt).not.toHaveProperty('reasons');
    const refused = bridge.genesys.requests.filter((request) => request.route === 'receipt' && request.status === 400);
    expect(refused).toHaveLength(1);
  });

  it('sends a card whose image cannot be fetched as its text and buttons, and reports the missing image', async () => {
    const chatId = await newCustomer();
    const { receipt } = await botSends(chatId, [cardContent({ title: 'Red shirt', image: `${bridge.genesys.baseUrl}/api/v2/downloads/gone`, actions: [postbackAction('Buy', 'buy-7')] })]);
    expect(chatOf(chatId).map(shown)).toEqual([{ kind: 'text', text: 'Red shirt', keyboard: [['Buy']] }]);
    expect(receipt).toMatchObject({ status: 'Delivered', reasons: [{ code: 'UnsupportedMessage', message: expect.stringContaining('a card was sent without its image') }] });
  });

  it('sends structured content in order with the chat’s other replies, and falls back to the text when the content is empty', async () => {
    const chatId = await newCustomer();
    await bridge.genesys.sendAgentMessage(integrationId, { toId: chatId, text: 'First' });
    await bridge.genesys.sendAgentMessage(integrationId, { toId: chatId, type: 'Structured', text: 'Second', structured: quickReplies('A', 'B') });
    const last = await bridge.genesys.sendAgentMessage(integrationId, { toId: chatId, type: 'Structured', text: 'Third', structured: [] });
    await bridge.genesys.waitForReceipts((entry) => entry.body.id === last.id, 1, 20_000);
    expect(chatOf(chatId).map(shown)).toEqual([
      { kind: 'text', text: 'First' },
      { kind: 'text', text: 'Second', keyboard: [['A', 'B']] },
      { kind: 'text', text: 'Third' },
    ]);
  });
});

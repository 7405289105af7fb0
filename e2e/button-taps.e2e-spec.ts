import { Redis } from 'ioredis';
import { quickReplies, type InboundMessageRecord } from '@tgg/emulators';
import { BridgeHarness, HARNESS_CREDENTIALS, eventually, redisUrl } from '@tgg/testing';
import { KeyboardButtonStore, newKeyboardId, type ButtonResponseType } from '@tgg/telegram';

const { botToken, integrationId, webhookSecret } = HARNESS_CREDENTIALS;

interface Option {
  text: string;
  payload: string;
}

/**
 * Taps on inline keyboards (SPEC §5): Telegram → ingress → sequencer → dispatcher → Genesys
 * /inbound/open/structured/response. The first test goes the whole way round: a bot's quick replies
 * from Genesys, rendered by outbound, tapped by the customer. The others play the sending side
 * themselves (a question in Genesys, its buttons in the keyboard store, the keyboard sent through
 * the Bot API) to set up each case; the customer taps in the fake Telegram, which posts a
 * real-shaped callback_query.
 */
describe('button taps: Telegram callback_query → Genesys structured response', () => {
  let bridge: BridgeHarness;
  let redis: Redis;
  let buttons: KeyboardButtonStore;
  let nextChatId = 7_100_000_001;

  beforeAll(async () => {
    bridge = await BridgeHarness.start({ windowMs: 300, services: ['ingress', 'sequencer', 'dispatcher', 'outbound'] });
    bridge.telegram.setWebhookTarget(botToken, `${bridge.url('ingress')}/telegram/webhook/default`, webhookSecret);
    redis = new Redis(redisUrl());
    buttons = new KeyboardButtonStore(redis, bridge.queuePrefix);
  }, 60_000);

  afterAll(async () => {
    await redis.quit();
    await bridge.stop();
  });

  /** An agent's quick-reply question in the chat's Genesys conversation, sent as an inline keyboard; returns its message id and Genesys id. */
  async function sendQuestion(chatId: number, options: Option[], settings: { channel?: string; type?: ButtonResponseType } = {}): Promise<{ messageId: number; genesysId: string }> {
    const question = bridge.genesys.prepareAgentMessage(integrationId, { toId: String(chatId), text: 'Is your issue resolved?' });
    const keyboardId = newKeyboardId();
    const records = options.map((option) => ({ channel: settings.channel ?? 'default', chatId: String(chatId), keyboardId, originatingMessageId: question.id, type: settings.type ?? 'QuickReply', ...option }));
    const data = await buttons.save(records);
    const response = await fetch(`${bridge.telegram.baseUrl}/bot${botToken}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: chatId, text: 'Is your issue resolved?', reply_markup: { inline_keyboard: [options.map((option, i) => ({ text: option.text, callback_data: data[i] }))] } }),
    });
    const sent = (await response.json()) as { ok: boolean; result: { message_id: number } };
    expect(sent.ok).toBe(true);
    return { messageId: sent.result.message_id, genesysId: question.id };
  }

  async function customerWrites(chatId: number, text: string): Promise<void> {
    const { delivery } = await bridge.telegram.sendUserMessage(botToken, { chatId, text });
    expect(delivery.status).toBe(200);
  }

  async function tap(chatId: number, messageId: number, buttonText: string): Promise<{ id: string; update: Record<string, unknown> }> {
    const { update, delivery } = await bridge.telegram.tapButton(botToken, { chatId, messageId, buttonText });
    expect(delivery.status).toBe(200);
    return { id: (update['callback_query'] as { id: string }).id, update };
  }

  /** Genesys requests of one chat (messages and structured responses), in the order Genesys accepted them. */
  function acceptedFor(chatId: number): string[] {
    return bridge.genesys.requests
      .filter((request) => request.status === 200 && (request.route === 'message' || request.route === 'structured_response') && request.messageId?.startsWith(`${chatId}:`))
      .map((request) => `${request.route}:${request.messageId}`);
  }

  async function waitForText(chatId: number, text: string): Promise<InboundMessageRecord> {
    const [record] = await bridge.genesys.waitForInbound((message) => message.body.channel.from.id === String(chatId) && message.body.text === text);
    return record!;
  }

  function keyboardOf(chatId: number, messageId: number) {
    const chat = bridge.telegram.userChats(botToken).find((candidate) => candidate.chatId === String(chatId));
    return chat?.messages.find((message) => message.messageId === messageId)?.keyboard;
  }

  function answersTo(callbackQueryId: string) {
    return bridge.telegram.callsTo('answerCallbackQuery').filter((call) => call.params['callback_query_id'] === callbackQueryId);
  }

  it("answers a bot's quick replies sent by outbound: the customer's tap reaches Genesys as the response to that message", async () => {
    const chatId = nextChatId++;
    await customerWrites(chatId, 'I need help');
    await waitForText(chatId, 'I need help');
    const longPayload = JSON.stringify({ intent: 'agent', note: 'x'.repeat(200) });
    const sent = await bridge.genesys.sendAgentMessage(integrationId, { toId: String(chatId), type: 'Structured', text: 'Do you want to proceed?', structured: quickReplies('Yes', { text: 'Talk to a human', payload: longPayload }), originatingEntity: 'Bot' });
    expect(sent.status).toBe(200);
    await bridge.genesys.waitForReceipts((receipt) => receipt.body.id === sent.id, 1, 20_000);
    const keyboardMessage = bridge.telegram.userChats(botToken).find((chat) => chat.chatId === String(chatId))?.messages.find((message) => message.keyboard);
    if (!keyboardMessage) throw new Error('the customer got no keyboard');

    const { id } = await tap(chatId, keyboardMessage.messageId, 'Talk to a human');
    const [response] = await bridge.genesys.waitForStructuredResponses((record) => record.body.channel.from.id === String(chatId), 1, 20_000);
    expect(response?.body).toMatchObject({ channel: { messageId: `${chatId}:cb:${id}` }, buttonResponse: { type: 'QuickReply', text: 'Talk to a human', payload: longPayload }, originatingMessageId: sent.id });
    await eventually(() => expect(keyboardOf(chatId, keyboardMessage.messageId)).toEqual([[expect.objectContaining({ text: '✓ Talk to a human' })]]));
  });

  it('forwards a tap once, between the messages written around it, with originatingMessageId and a payload over 64 bytes', async () => {
    const chatId = nextChatId++;
    const longPayload = `RESOLVED|${'é'.repeat(60)}|${'x'.repeat(100)}`; // far over Telegram's 64-byte callback_data
    await customerWrites(chatId, 'hello');
    const question = await sendQuestion(chatId, [{ text: 'Yes 👍', payload: longPayload }, { text: 'No', payload: 'NO' }]);
    await customerWrites(chatId, 'before the tap');
    const { id } = await tap(chatId, question.messageId, 'Yes 👍');
    await customerWrites(chatId, 'after the tap');

    const [response] = await bridge.genesys.waitForStructuredResponses((record) => record.body.channel.from.id === String(chatId));
    expect(response?.body).toMatchObject({
      channel: { messageId: `${chatId}:cb:${id}`, from: { id: String(chatId), idType: 'Opaque' } },
      buttonResponse: { type: 'QuickReply', text: 'Yes 👍', payload: longPayload },
      originatingMessageId: question.genesysId,
    });
    await waitForText(chatId, 'after the tap');
    expect(acceptedFor(chatId)).toEqual([`message:${chatId}:1`, `message:${chatId}:3`, `structured_response:${chatId}:cb:${id}`, `message:${chatId}:4`]);

    // The spinner is stopped without a notice, and the keyboard now shows the choice.
    await eventually(() => expect(answersTo(id)).toMatchObject([{ status: 200 }]));
    expect(answersTo(id)[0]?.params['text']).toBeUndefined();
    await eventually(() => expect(keyboardOf(chatId, question.messageId)).toEqual([[expect.objectContaining({ text: '✓ Yes 👍' })]]));
  });

  it('forwards only the first tap on a keyboard: a second tap is answered with a notice, a redelivered one does nothing', async () => {
    const chatId = nextChatId++;
    const question = await sendQuestion(chatId, [{ text: 'Yes', payload: 'YES' }, { text: 'No', payload: 'NO' }]);
    // A quick double tap: both on the keyboard as the app showed it, before the bridge marked the choice.
    const [first, second] = (['No', 'Yes'] as const).map((buttonText) => {
      const update = bridge.telegram.prepareTap(botToken, { chatId, messageId: question.messageId, buttonText });
      return { id: (update['callback_query'] as { id: string }).id, update };
    });
    expect((await bridge.postUpdate(first!.update)).status).toBe(200);
    // Telegram redelivers an update it did not see acknowledged: same update_id, same callback_query.id.
    expect((await bridge.postUpdate(first!.update)).status).toBe(200);
    expect((await bridge.postUpdate(second!.update)).status).toBe(200);
    // And a tap on the marked choice once it shows.
    await eventually(() => expect(keyboardOf(chatId, question.messageId)).toEqual([[expect.objectContaining({ text: '✓ No' })]]));
    const third = await tap(chatId, question.messageId, '✓ No');
    await customerWrites(chatId, 'sentinel');

    await waitForText(chatId, 'sentinel');
    expect(acceptedFor(chatId)).toEqual([`structured_response:${chatId}:cb:${first!.id}`, `message:${chatId}:2`]);
    expect(bridge.genesys.structuredResponses.filter((record) => record.body.channel.from.id === String(chatId)).map((record) => record.body.buttonResponse.payload)).toEqual(['NO']);
    const notice = { status: 200, params: { text: 'You have already answered this question.' } };
    await eventually(() => expect([...answersTo(second!.id), ...answersTo(third.id)]).toMatchObject([notice, notice]));
  });

  it("sends a tap on a question of an ended conversation to the chat's new conversation as text", async () => {
    const chatId = nextChatId++;
    await customerWrites(chatId, 'first conversation');
    const question = await sendQuestion(chatId, [{ text: 'Rate us: 5', payload: 'CSAT_5' }]);
    await waitForText(chatId, 'first conversation');
    bridge.genesys.endConversation(integrationId, String(chatId));
    const { id } = await tap(chatId, question.messageId, 'Rate us: 5');

    const asText = await waitForText(chatId, 'Rate us: 5');
    expect(asText.body.channel.messageId).toBe(`${chatId}:cb:${id}`);
    expect(bridge.genesys.requests.filter((request) => request.messageId === `${chatId}:cb:${id}`).map((request) => `${request.route}:${request.status}`)).toEqual(['structured_response:400', 'message:200']);
    const conversations = bridge.genesys.conversations().filter((conversation) => conversation.customerId === String(chatId));
    expect(conversations).toHaveLength(1);
    expect(asText.conversationId).toBe(conversations[0]?.conversationId);
  });

  it("answers and ignores a tap on another channel's keyboard (closing it) and on a keyboard that is not the bridge's (leaving it)", async () => {
    const chatId = nextChatId++;
    const foreign = await sendQuestion(chatId, [{ text: 'Yes', payload: 'YES' }], { channel: 'sales' });
    const foreignTap = await tap(chatId, foreign.messageId, 'Yes');
    const response = await fetch(`${bridge.telegram.baseUrl}/bot${botToken}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: chatId, text: 'A poll of another system', reply_markup: { inline_keyboard: [[{ text: 'Vote', callback_data: 'vote:42' }]] } }),
    });
    const otherMessageId = ((await response.json()) as { result: { message_id: number } }).result.message_id;
    const otherTap = await tap(chatId, otherMessageId, 'Vote');
    await customerWrites(chatId, 'sentinel');

    await waitForText(chatId, 'sentinel');
    expect(acceptedFor(chatId)).toEqual([`message:${chatId}:3`]);
    const notice = 'This question is closed. Please type your answer instead.';
    await eventually(() => expect([...answersTo(foreignTap.id), ...answersTo(otherTap.id)].map((call) => call.params['text'])).toEqual([notice, notice]));
    const edits = () => bridge.telegram.callsTo('editMessageReplyMarkup').filter((call) => call.params['chat_id'] === String(chatId));
    await eventually(() => expect(edits()).toMatchObject([{ status: 200, params: { message_id: foreign.messageId } }]));
    expect(edits()[0]?.params['reply_markup']).toBeUndefined();
    const metrics = await (await fetch(`${bridge.url('ingress')}/metrics`)).text();
    expect(metrics).toMatch(/tgg_updates_total\{outcome="ignored",reason="tap_foreign"[^}]*\} 1/);
    expect(metrics).toMatch(/tgg_updates_total\{outcome="ignored",reason="tap_not_ours"[^}]*\} 1/);
  });
});

import { FakeTelegram } from './fake-telegram.js';
import { RecordingReceiver } from './recording-receiver.js';

const TOKEN = '123456:ABC-def_ghi';
const CHAT_ID = 7_000_000_001;
const KEYBOARD = { inline_keyboard: [[{ text: 'Yes', callback_data: 'k1:yes' }, { text: 'No', callback_data: 'k1:no' }]] };

async function callBotApi(fake: FakeTelegram, method: string, params: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${fake.baseUrl}/bot${TOKEN}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('FakeTelegram inline keyboards and taps', () => {
  let fake: FakeTelegram;
  let receiver: RecordingReceiver;

  beforeEach(async () => {
    fake = await FakeTelegram.start();
    fake.addBot(TOKEN, { username: 'support_bot' });
    receiver = await RecordingReceiver.start();
    fake.setWebhookTarget(TOKEN, receiver.url('/telegram/webhook/default'), 'secret-1');
  });

  afterEach(async () => {
    await receiver.close();
    await fake.close();
  });

  async function sendKeyboard(): Promise<number> {
    const sent = await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'Resolved?', reply_markup: KEYBOARD });
    expect(sent.body).toMatchObject({ ok: true, result: { reply_markup: KEYBOARD } });
    return (sent.body['result'] as { message_id: number }).message_id;
  }

  it('delivers a tap as a realistic callback_query and lets the bot answer it once', async () => {
    const messageId = await sendKeyboard();
    const { update, delivery } = await fake.tapButton(TOKEN, { chatId: CHAT_ID, messageId, buttonText: 'No' });
    expect(delivery.status).toBe(200);
    const query = update['callback_query'] as Record<string, unknown>;
    expect(query).toMatchObject({ data: 'k1:no', from: { id: CHAT_ID, is_bot: false }, message: { message_id: messageId, chat: { id: CHAT_ID }, reply_markup: KEYBOARD } });
    expect(query['id']).toMatch(/^\d{15,20}$/);
    expect(query['chat_instance']).toMatch(/^-?\d+$/);
    expect(JSON.parse(receiver.received[0]!.rawBody.toString('utf8'))).toEqual(update);

    expect((await callBotApi(fake, 'answerCallbackQuery', { callback_query_id: query['id'], text: 'Thanks' })).body).toEqual({ ok: true, result: true });
    const again = await callBotApi(fake, 'answerCallbackQuery', { callback_query_id: query['id'] });
    expect(again).toEqual({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: query is too old and response timeout expired or query ID is invalid' } });
  });

  it('sends an InaccessibleMessage (date 0) for a tap on an old message, and refuses a button that is not there', async () => {
    const messageId = await sendKeyboard();
    const { update } = await fake.tapButton(TOKEN, { chatId: CHAT_ID, messageId, callbackData: 'k1:yes', inaccessible: true });
    expect((update['callback_query'] as { message: unknown }).message).toEqual({ chat: { id: CHAT_ID, type: 'private' }, message_id: messageId, date: 0 });
    await expect(fake.tapButton(TOKEN, { chatId: CHAT_ID, messageId, buttonText: 'Maybe' })).rejects.toThrow('no such inline button');
  });

  it('edits and removes a keyboard with editMessageReplyMarkup, with Telegram errors for no change and unknown messages', async () => {
    const messageId = await sendKeyboard();
    const chosen = { inline_keyboard: [[{ text: '✓ Yes', callback_data: 'k1:yes' }]] };
    const edited = await callBotApi(fake, 'editMessageReplyMarkup', { chat_id: CHAT_ID, message_id: messageId, reply_markup: chosen });
    expect(edited.body).toMatchObject({ ok: true, result: { message_id: messageId, reply_markup: chosen } });
    expect(fake.userChats(TOKEN)[0]?.messages[0]?.keyboard).toEqual([[{ text: '✓ Yes', callbackData: 'k1:yes' }]]);

    const same = await callBotApi(fake, 'editMessageReplyMarkup', { chat_id: CHAT_ID, message_id: messageId, reply_markup: chosen });
    expect(same.status).toBe(400);
    expect(same.body['description']).toMatch(/^Bad Request: message is not modified/);

    expect((await callBotApi(fake, 'editMessageReplyMarkup', { chat_id: CHAT_ID, message_id: messageId })).body).toMatchObject({ ok: true });
    expect(fake.userChats(TOKEN)[0]?.messages[0]?.keyboard).toBeUndefined();
    expect((await callBotApi(fake, 'editMessageReplyMarkup', { chat_id: CHAT_ID, message_id: 999 })).body).toMatchObject({ error_code: 400, description: 'Bad Request: message to edit not found' });
  });
});

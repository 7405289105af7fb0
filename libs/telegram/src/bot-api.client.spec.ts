import { ChatBlockedError, PermanentError, RetryableError } from '@tgg/contracts';
import { FakeTelegram } from '@tgg/emulators';
import { TelegramBotApiClient } from './bot-api.client.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const CHAT_ID = '7000000001';

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected the call to fail');
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

describe('TelegramBotApiClient (against FakeTelegram over HTTP)', () => {
  let fake: FakeTelegram;
  let client: TelegramBotApiClient;
  let requests: { method: string; status: number | 'error' }[];

  beforeEach(async () => {
    fake = await FakeTelegram.start();
    fake.addBot(TOKEN, { username: 'support_bot' });
    requests = [];
    client = new TelegramBotApiClient({ apiBaseUrl: fake.baseUrl, botToken: TOKEN, onRequest: (method, status) => requests.push({ method, status }) });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('reads getMe and reports each request by method name and status', async () => {
    expect(await client.getMe()).toMatchObject({ id: 123456789, is_bot: true, username: 'support_bot' });
    expect(requests).toEqual([{ method: 'getMe', status: 200 }]);
    expect(fake.calls[0]).toMatchObject({ token: TOKEN, method: 'getMe' });
  });

  it('sends plain text with the chat id as a string and returns the Telegram message id', async () => {
    const first = await client.sendMessage(CHAT_ID, 'Hi Ana');
    const second = await client.sendMessage(CHAT_ID, 'Second', { params: { link_preview_options: { is_disabled: true } } });
    expect([first.messageId, second.messageId]).toEqual([1, 2]);
    expect(fake.callsTo('sendMessage').map((call) => call.params)).toEqual([
      { chat_id: CHAT_ID, text: 'Hi Ana' },
      { chat_id: CHAT_ID, text: 'Second', link_preview_options: { is_disabled: true } },
    ]);
  });

  it('turns 429 into a RetryableError that waits retry_after', async () => {
    fake.failNext('sendMessage', 1, { status: 429, description: 'Too Many Requests: retry after 3', retryAfterS: 3 });
    const error = await errorOf(client.sendMessage(CHAT_ID, 'x'));
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ code: 'telegram_429', retryAfterMs: 3000 });
    expect(requests).toEqual([{ method: 'sendMessage', status: 429 }]);
  });

  it('turns a 403 from a user who blocked the bot into ChatBlockedError, and other 4xx into PermanentError', async () => {
    fake.block(CHAT_ID);
    const blocked = await errorOf(client.sendMessage(CHAT_ID, 'x'));
    expect(blocked).toBeInstanceOf(ChatBlockedError);
    expect(blocked.message).toBe('Telegram 403: Forbidden: bot was blocked by the user');
    fake.unblock(CHAT_ID);
    const badRequest = await errorOf(client.sendMessage(CHAT_ID, '   '));
    expect(badRequest).toBeInstanceOf(PermanentError);
    expect(badRequest).toMatchObject({ code: 'telegram_400' });
    fake.failNext('sendChatAction', 1, { status: 502, description: 'Bad Gateway' });
    expect(await errorOf(client.sendChatAction(CHAT_ID))).toMatchObject({ code: 'telegram_502', retryable: true });
  });

  it('makes a revoked token a permanent unauthorized error', async () => {
    fake.revokeToken(TOKEN);
    expect(await errorOf(client.getMe())).toMatchObject({ code: 'telegram_unauthorized', retryable: false });
  });

  it('uploads a photo from bytes as multipart, with its caption', async () => {
    const bytes = Buffer.from('\x89PNG fake image bytes');
    const sent = await client.sendMedia('sendPhoto', CHAT_ID, { bytes, filename: 'screenshot.png', mime: 'image/png' }, { caption: 'Your screen' });
    expect(sent.messageId).toBe(1);
    const [call] = fake.callsTo('sendPhoto');
    expect(call?.params).toEqual({ chat_id: CHAT_ID, caption: 'Your screen' });
    expect(call?.files).toEqual([{ field: 'photo', filename: 'screenshot.png', size: bytes.length, mime: 'image/png' }]);
  });

  it('sends an inline keyboard as reply_markup with text and with an uploaded photo; a refused callback_data is a PermanentError', async () => {
    const replyMarkup = { inline_keyboard: [[{ text: 'Yes', callback_data: 'k1:yes' }, { text: 'Site', url: 'https://shop.example/42' }]] };
    await client.sendMessage(CHAT_ID, 'Proceed?', { replyMarkup });
    await client.sendMedia('sendPhoto', CHAT_ID, { bytes: Buffer.from('png'), filename: 'a.png', mime: 'image/png' }, { caption: 'Shirt', replyMarkup });
    const recorded = { text: 'Yes', callbackData: 'k1:yes' };
    expect(fake.userChats(TOKEN)[0]?.messages.map((message) => [message.kind, message.keyboard?.[0]?.[0]])).toEqual([
      ['text', recorded],
      ['photo', recorded],
    ]);
    const refused = await errorOf(client.sendMessage(CHAT_ID, 'x', { replyMarkup: { inline_keyboard: [[{ text: 'b', callback_data: 'x'.repeat(65) }]] } }));
    expect(refused).toBeInstanceOf(PermanentError);
    expect(refused.message).toContain('BUTTON_DATA_INVALID');
  });

  it('uploads a document without changing a byte, whatever the filename holds', async () => {
    const bytes = Buffer.alloc(300_000, 7);
    bytes.write('%PDF-1.7', 0);
    await client.sendMedia('sendDocument', CHAT_ID, { bytes, filename: 'factura "marzo"\n.pdf', mime: 'application/pdf' }, { caption: 'line one\nline two' });
    const [call] = fake.callsTo('sendDocument');
    expect(call?.params).toEqual({ chat_id: CHAT_ID, caption: 'line one\r\nline two' });
    expect(call?.files).toEqual([{ field: 'document', filename: 'factura "marzo"\n.pdf', size: bytes.length, mime: 'application/pdf' }]);
    const stored = fake.fileContent(String(fake.userChats()[0]?.messages[0]?.fileId));
    expect(stored?.bytes.equals(bytes)).toBe(true);
  });

  it('sends media by URL and by video/audio methods', async () => {
    await client.sendMedia('sendDocument', CHAT_ID, 'https://example.com/manual.pdf');
    await client.sendMedia('sendVideo', CHAT_ID, { bytes: Buffer.from('mp4'), filename: 'clip.mp4', mime: 'video/mp4' });
    await client.sendMedia('sendAudio', CHAT_ID, { bytes: Buffer.from('mp3'), filename: 'note.mp3', mime: 'audio/mpeg' });
    expect(fake.calls.map((call) => [call.method, call.status])).toEqual([['sendDocument', 200], ['sendVideo', 200], ['sendAudio', 200]]);
    expect(fake.callsTo('sendDocument')[0]?.params).toEqual({ chat_id: CHAT_ID, document: 'https://example.com/manual.pdf' });
  });

  it('finds a file with getFile and streams it with downloadFile', async () => {
    const bytes = Buffer.from('voice note bytes');
    fake.addFile('file-1', bytes, { filePath: 'voice/file 1.oga', mime: 'audio/ogg' });
    const file = await client.getFile('file-1');
    expect(file).toMatchObject({ file_id: 'file-1', file_size: bytes.length, file_path: 'voice/file 1.oga' });
    const download = await client.downloadFile(file.file_path ?? '');
    expect(download).toMatchObject({ sizeBytes: bytes.length, mime: 'audio/ogg' });
    expect((await bytesOf(download.stream)).equals(bytes)).toBe(true);
    expect(requests.map((request) => request.method)).toEqual(['getFile', 'file']);
    expect(await errorOf(client.downloadFile('voice/missing.oga'))).toMatchObject({ code: 'telegram_404', retryable: false });
  });

  it('sets, reads and deletes the webhook', async () => {
    await client.setWebhook({ url: 'https://bridge.example.com/telegram/webhook/default', secret_token: 'secret_1', allowed_updates: ['message'] });
    expect(await client.getWebhookInfo()).toMatchObject({ url: 'https://bridge.example.com/telegram/webhook/default', allowed_updates: ['message'] });
    await client.deleteWebhook({ drop_pending_updates: true });
    expect((await client.getWebhookInfo()).url).toBe('');
  });

  it('never puts the bot token into an error: refused connection, timeout, bad answers', async () => {
    const closed = new TelegramBotApiClient({ apiBaseUrl: 'http://127.0.0.1:1', botToken: TOKEN });
    const refused = await errorOf(closed.sendMessage(CHAT_ID, 'x'));
    expect(refused).toMatchObject({ code: 'telegram_unreachable', retryable: true });
    expect(refused.message).toContain('sendMessage');
    expect(refused.message).toContain('/bot<redacted>/sendMessage');

    fake.stall('sendMessage', 1000);
    const impatient = new TelegramBotApiClient({ apiBaseUrl: fake.baseUrl, botToken: TOKEN, timeoutMs: 100 });
    const timedOut = await errorOf(impatient.sendMessage(CHAT_ID, 'x'));
    expect(timedOut).toMatchObject({ code: 'telegram_timeout', retryable: true });

    const malformed = new TelegramBotApiClient({ apiBaseUrl: 'http://[not a host', botToken: TOKEN });
    const invalidUrl = await errorOf(malformed.getMe());

    for (const error of [refused, timedOut, invalidUrl]) {
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).not.toContain('AAHdqTcv');
      expect(error.cause).toBeUndefined();
      expect(JSON.stringify(error)).not.toContain('AAHdqTcv');
    }
  });
});

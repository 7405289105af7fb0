import { FakeTelegram } from './fake-telegram.js';
import { RecordingReceiver } from './recording-receiver.js';

const TOKEN = '123456:ABC-def_ghi';
const CHAT_ID = 7_000_000_001; // above 2^31, as real chat ids often are

interface BotApiAnswer {
  status: number;
  headers: Headers;
  body: { ok: boolean; result?: unknown; error_code?: number; description?: string; parameters?: { retry_after?: number } };
}

async function callBotApi(fake: FakeTelegram, method: string, params: object = {}, token = TOKEN): Promise<BotApiAnswer> {
  const response = await fetch(`${fake.baseUrl}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  // The emulator always answers the Bot API envelope; the test checks its fields below.
  return { status: response.status, headers: response.headers, body: (await response.json()) as BotApiAnswer['body'] };
}

function resultOf(answer: BotApiAnswer): Record<string, unknown> {
  expect(answer.body.ok).toBe(true);
  // Message and File results are JSON objects; the assertions that follow read their fields.
  return answer.body.result as Record<string, unknown>;
}

describe('FakeTelegram', () => {
  let fake: FakeTelegram;

  beforeEach(async () => {
    fake = await FakeTelegram.start();
    fake.addBot(TOKEN, { username: 'support_bot' });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('answers 401 with the real envelope for an unknown token, and records the call', async () => {
    const answer = await callBotApi(fake, 'getMe', {}, '999:unknown');
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    expect(fake.calls).toMatchObject([{ token: '999:unknown', method: 'getMe', status: 401 }]);
  });

  it('serves getMe for GET and any method case, with the bot id taken from the token', async () => {
    const response = await fetch(`${fake.baseUrl}/bot${TOKEN}/GETME`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, result: { id: 123456, is_bot: true, username: 'support_bot' } });
    expect(fake.callsTo('getme')).toHaveLength(1);
  });

  it('numbers messages per chat and returns realistic Message objects', async () => {
    const first = resultOf(await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'one' }));
    const second = resultOf(await callBotApi(fake, 'sendMessage', { chat_id: String(CHAT_ID), text: 'two' }));
    const otherChat = resultOf(await callBotApi(fake, 'sendMessage', { chat_id: 42, text: 'elsewhere' }));

    expect([first['message_id'], second['message_id'], otherChat['message_id']]).toEqual([1, 2, 1]);
    expect(first['chat']).toEqual({ id: CHAT_ID, type: 'private' });
    expect(first['date']).toBe(Math.floor((fake.calls[0]?.atMs ?? 0) / 1000));
    expect(fake.calls.map((call) => call.params['chat_id'])).toEqual([String(CHAT_ID), String(CHAT_ID), '42']);
  });

  it('enforces the text limits of sendMessage', async () => {
    expect(await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'x'.repeat(4096) })).toMatchObject({ status: 200 });
    expect((await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'x'.repeat(4097) })).body).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: message is too long',
    });
    expect((await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: '' })).body.description).toBe('Bad Request: message text is empty');
  });

  it('parses multipart uploads and records each file part', async () => {
    const form = new FormData();
    form.set('chat_id', String(CHAT_ID));
    form.set('caption', 'the invoice');
    form.set('document', new Blob([Buffer.from('%PDF-1.7 fake')], { type: 'application/pdf' }), 'invoice.pdf');
    const response = await fetch(`${fake.baseUrl}/bot${TOKEN}/sendDocument`, { method: 'POST', body: form });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ok: true,
      result: { caption: 'the invoice', document: { file_name: 'invoice.pdf', mime_type: 'application/pdf', file_size: 13 } },
    });
    expect(fake.calls[0]).toMatchObject({
      method: 'sendDocument',
      params: { chat_id: String(CHAT_ID), caption: 'the invoice' },
      files: [{ field: 'document', filename: 'invoice.pdf', size: 13, mime: 'application/pdf' }],
    });
  });

  it('refuses a caption over 1024 characters', async () => {
    const answer = await callBotApi(fake, 'sendPhoto', { chat_id: CHAT_ID, photo: 'https://example.com/a.jpg', caption: 'c'.repeat(1025) });
    expect(answer.body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: message caption is too long' });
  });

  describe('inline keyboards (reply_markup)', () => {
    const keyboard = { inline_keyboard: [[{ text: 'Yes', callback_data: 'k1:yes' }, { text: 'Site', url: 'https://shop.example/42' }], [{ text: 'No', callback_data: 'k1:no' }]] };

    it('accepts a keyboard on sendMessage, echoes it in the Message and records it with the transcript entry', async () => {
      const message = resultOf(await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'Proceed?', reply_markup: keyboard }));
      expect(message['reply_markup']).toEqual(keyboard);
      expect(fake.userChats(TOKEN)[0]?.messages).toEqual([
        expect.objectContaining({
          kind: 'text',
          text: 'Proceed?',
          keyboard: [[{ text: 'Yes', callbackData: 'k1:yes' }, { text: 'Site', url: 'https://shop.example/42' }], [{ text: 'No', callbackData: 'k1:no' }]],
        }),
      ]);
    });

    it('reads the keyboard as a JSON text field of a multipart upload (sendPhoto), and a multi-line caption without the CRs of the form encoding', async () => {
      const form = new FormData();
      form.set('chat_id', String(CHAT_ID));
      form.set('caption', 'Blue shirt\nCotton');
      form.set('reply_markup', JSON.stringify(keyboard));
      form.set('photo', new Blob([Buffer.from('png')], { type: 'image/png' }), 'blue.png');
      const response = await fetch(`${fake.baseUrl}/bot${TOKEN}/sendPhoto`, { method: 'POST', body: form });
      expect(await response.json()).toMatchObject({ ok: true, result: { caption: 'Blue shirt\nCotton', reply_markup: keyboard } });
      expect(fake.userChats(TOKEN)[0]?.messages[0]).toMatchObject({ kind: 'photo', caption: 'Blue shirt\nCotton', keyboard: [[{ text: 'Yes' }, { text: 'Site' }], [{ text: 'No' }]] });
    });

    it('refuses empty and over-64-byte callback_data with BUTTON_DATA_INVALID, and sends nothing', async () => {
      const withData = (data: string) => ({ chat_id: CHAT_ID, text: 'x', reply_markup: { inline_keyboard: [[{ text: 'b', callback_data: data }]] } });
      for (const data of ['', 'é'.repeat(33), 'x'.repeat(65)]) {
        const answer = await callBotApi(fake, 'sendMessage', withData(data));
        expect({ bytes: Buffer.byteLength(data), status: answer.status, body: answer.body }).toEqual({
          bytes: Buffer.byteLength(data),
          status: 400,
          body: { ok: false, error_code: 400, description: 'Bad Request: BUTTON_DATA_INVALID' },
        });
      }
      expect(resultOf(await callBotApi(fake, 'sendMessage', withData('x'.repeat(64))))['message_id']).toBe(1);
      expect(fake.userChats(TOKEN)[0]?.messages).toHaveLength(1);
    });

    it('refuses a bad URL, a button with neither callback_data nor url, and markup that is not JSON', async () => {
      const send = (reply_markup: unknown) => callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'x', reply_markup });
      expect((await send({ inline_keyboard: [[{ text: 'Call', url: 'javascript:alert(1)' }]] })).body.description).toBe('Bad Request: BUTTON_URL_INVALID');
      expect((await send({ inline_keyboard: [[{ text: 'Plain' }]] })).body.description).toBe("Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      expect((await send({ inline_keyboard: [{ text: 'not a row' }] })).body.description).toBe('Bad Request: Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
      expect((await send('{not json')).body.description).toBe("Bad Request: can't parse reply keyboard markup JSON object");
      expect(fake.userChats(TOKEN)).toEqual([]);
    });
  });

  it('accepts urlencoded bodies', async () => {
    const response = await fetch(`${fake.baseUrl}/bot${TOKEN}/sendChatAction`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: String(CHAT_ID), action: 'typing' }).toString(),
    });
    expect(await response.json()).toEqual({ ok: true, result: true });
    expect(fake.calls[0]?.params).toEqual({ chat_id: String(CHAT_ID), action: 'typing' });
  });

  it('fails the next calls as scripted, with Retry-After and parameters.retry_after on 429', async () => {
    fake.failNext('sendMessage', 1, { status: 429, description: 'Too Many Requests: retry after 7', retryAfterS: 7 }, { chatId: CHAT_ID });

    const otherChat = await callBotApi(fake, 'sendMessage', { chat_id: 42, text: 'not targeted' });
    const limited = await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'hi' });
    const retried = await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'hi' });

    expect(otherChat.status).toBe(200);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } });
    expect(retried.status).toBe(200);
    // A failed send takes no message_id: the retry gets the chat's first one.
    expect(resultOf(retried)['message_id']).toBe(1);
  });

  it('ends a storm of scripted failures and stalls on clearFaults', async () => {
    fake.failNext('sendMessage', 1_000, { status: 429, description: 'Too Many Requests: retry after 1', retryAfterS: 1 });
    fake.stall('sendMessage', 10_000, 1_000);
    expect((await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'storm' })).status).toBe(429);
    fake.clearFaults();
    const startedAtMs = Date.now();
    expect((await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'calm' })).status).toBe(200);
    expect(Date.now() - startedAtMs).toBeLessThan(5_000);
  }, 20_000);

  it('answers 403 for a blocked chat until it is unblocked', async () => {
    fake.block(CHAT_ID);
    const blocked = await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'hello?' });
    expect(blocked.body).toEqual({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect((await callBotApi(fake, 'sendMessage', { chat_id: 42, text: 'fine' })).status).toBe(200);

    fake.unblock(CHAT_ID);
    expect((await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'hello again' })).status).toBe(200);
  });

  it('answers 401 for every call after the token is revoked', async () => {
    expect((await callBotApi(fake, 'getMe')).status).toBe(200);
    fake.revokeToken(TOKEN);
    expect((await callBotApi(fake, 'getMe')).body).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
  });

  it('answers 404 for an unknown method', async () => {
    expect((await callBotApi(fake, 'sendTelepathy')).body).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
  });

  it('resolves getFile to a path whose download returns the registered bytes', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    fake.addFile('photo-1', bytes, { filePath: 'photos/file_1.jpg', mime: 'image/jpeg' });

    const file = resultOf(await callBotApi(fake, 'getFile', { file_id: 'photo-1' }));
    expect(file).toMatchObject({ file_id: 'photo-1', file_path: 'photos/file_1.jpg', file_size: bytes.length });

    const download = await fetch(`${fake.baseUrl}/file/bot${TOKEN}/${String(file['file_path'])}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/jpeg');
    expect(download.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
  });

  it('issues file_id and file_unique_id in Telegram\'s shapes for user files and bot uploads, and serves them by getFile', async () => {
    const photo = fake.addUserFile('photo', Buffer.from('jpeg bytes'), { mime: 'image/jpeg' });
    expect(photo.fileId).toMatch(/^AgACAgIAAxkBAAI[A-Za-z0-9_-]{71}$/);
    expect(photo.fileUniqueId).toMatch(/^AQAD[A-Za-z0-9_-]{12}$/);
    expect(photo.filePath).toMatch(/^photos\/file_\d+\.jpg$/);
    expect(resultOf(await callBotApi(fake, 'getFile', { file_id: photo.fileId }))).toEqual({
      file_id: photo.fileId,
      file_unique_id: photo.fileUniqueId,
      file_size: 10,
      file_path: photo.filePath,
    });

    const sent = resultOf(await callBotApi(fake, 'sendPhoto', { chat_id: CHAT_ID, photo: 'https://example.com/a.jpg' }));
    const [sentPhoto] = sent['photo'] as { file_id: string; file_unique_id: string }[]; // a sendPhoto result carries PhotoSize[]
    expect(sentPhoto?.file_id).toMatch(/^AgACAgIAAxkBAAI[A-Za-z0-9_-]{71}$/);
    expect(sentPhoto?.file_unique_id).toMatch(/^AQAD[A-Za-z0-9_-]{12}$/);
  });

  it('refuses getFile above 20 MB and an unknown file_id', async () => {
    fake.addFile('huge', Buffer.alloc(20 * 1024 * 1024 + 1));
    expect((await callBotApi(fake, 'getFile', { file_id: 'huge' })).body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: file is too big' });
    expect((await callBotApi(fake, 'getFile', { file_id: 'nope' })).body.description).toBe('Bad Request: invalid file_id');
  });

  it('keeps webhook state across setWebhook, getWebhookInfo and deleteWebhook', async () => {
    const set = await callBotApi(fake, 'setWebhook', { url: 'https://bridge.example/telegram/webhook/default', secret_token: 'hook_secret-1', allowed_updates: ['message'] });
    expect(set.body).toEqual({ ok: true, result: true, description: 'Webhook was set' });
    expect(resultOf(await callBotApi(fake, 'getWebhookInfo'))).toEqual({
      url: 'https://bridge.example/telegram/webhook/default',
      has_custom_certificate: false,
      pending_update_count: 0,
      max_connections: 40,
      allowed_updates: ['message'],
    });
    expect((await callBotApi(fake, 'setWebhook', { url: 'https://x.example/', secret_token: 'bad secret!' })).body.description).toBe(
      'Bad Request: secret token contains unallowed characters',
    );

    fake.setWebhookError(TOKEN, 'Read timeout expired');
    expect(resultOf(await callBotApi(fake, 'getWebhookInfo'))['last_error_message']).toBe('Read timeout expired');

    expect((await callBotApi(fake, 'deleteWebhook')).body.description).toBe('Webhook was deleted');
    expect(resultOf(await callBotApi(fake, 'getWebhookInfo'))).toEqual({ url: '', has_custom_certificate: false, pending_update_count: 0 });
  });

  describe('webhook delivery', () => {
    let receiver: RecordingReceiver;

    beforeEach(async () => {
      receiver = await RecordingReceiver.start();
    });

    afterEach(async () => {
      await receiver.close();
    });

    it('POSTs the update with the secret header set by setWebhook', async () => {
      await callBotApi(fake, 'setWebhook', { url: receiver.url('/telegram/webhook/default'), secret_token: 'hook_secret-1' });
      const update = { update_id: 10, message: { message_id: 1, date: 1, chat: { id: CHAT_ID, type: 'private' }, text: 'hi' } };

      expect(await fake.deliverUpdate(TOKEN, update)).toMatchObject({ status: 200 });
      const [received] = await receiver.waitForRequests(1);
      expect(received?.path).toBe('/telegram/webhook/default');
      expect(received?.headers['x-telegram-bot-api-secret-token']).toBe('hook_secret-1');
      expect(received?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(received?.rawBody.toString('utf8') ?? '')).toEqual(update);
    });

    it('reports a non-2xx answer as the webhook last error', async () => {
      fake.setWebhookTarget(TOKEN, receiver.url('/hook'), 'override-secret');
      receiver.status = 503;
      expect(await fake.deliverUpdate(TOKEN, { update_id: 1 })).toMatchObject({ status: 503 });
      expect((await receiver.waitForRequests(1))[0]?.headers['x-telegram-bot-api-secret-token']).toBe('override-secret');
      expect(fake.webhookInfo(TOKEN)['last_error_message']).toBe('Wrong response from the webhook: 503 Service Unavailable');
    });

    it('plays a user message into one per-chat numbering shared with bot replies', async () => {
      fake.setWebhookTarget(TOKEN, receiver.url('/hook'), 'hook_secret-1');
      const { update } = await fake.sendUserMessage(TOKEN, { chatId: CHAT_ID, text: 'I need help', from: { username: 'ivan' } });
      expect(update).toMatchObject({ update_id: 1, message: { message_id: 1, chat: { id: CHAT_ID, type: 'private' }, from: { id: CHAT_ID, username: 'ivan' }, text: 'I need help' } });
      await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'On it' });

      expect(fake.userChats(TOKEN)).toEqual([
        {
          token: TOKEN,
          botUsername: 'support_bot',
          chatId: String(CHAT_ID),
          messages: [
            expect.objectContaining({ messageId: 1, sender: 'user', kind: 'text', text: 'I need help' }),
            expect.objectContaining({ messageId: 2, sender: 'bot', kind: 'text', text: 'On it' }),
          ],
        },
      ]);
    });
    it('gives a user\'s attachment a Telegram-shaped file_id and file_unique_id', async () => {
      fake.setWebhookTarget(TOKEN, receiver.url('/hook'), 'hook_secret-1');
      const attachment = { kind: 'document', bytes: Buffer.from('%PDF'), mime: 'application/pdf', fileName: 'a.pdf' } as const;
      const { update } = await fake.sendUserMessage(TOKEN, { chatId: CHAT_ID, attachment });
      const { document } = update['message'] as { document: { file_id: string; file_unique_id: string } }; // built by the emulator just above
      expect(document.file_id).toMatch(/^BQACAgIAAxkBAAI[A-Za-z0-9_-]{56}$/);
      expect(document.file_unique_id).toMatch(/^AgAD[A-Za-z0-9_-]{11}$/);
      expect(fake.fileContent(document.file_id)?.bytes).toEqual(attachment.bytes);
    });
  });

  describe('waiting for calls', () => {
    it('resolves when enough matching calls arrive, counting those already recorded', async () => {
      await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'first' });
      const twoMessages = fake.waitForCalls('sendMessage', 2);
      await callBotApi(fake, 'getMe');
      await callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'second' });

      const calls = await twoMessages;
      expect(calls.map((call) => call.params['text'])).toEqual(['first', 'second']);
    });

    it('rejects with a clear message when the calls never come', async () => {
      await expect(fake.waitForCall((call) => call.params['text'] === 'never', 50)).rejects.toThrow(
        'timed out after 50 ms waiting for 1 matching Telegram calls; 0 matched of 0 recorded',
      );
    });

    it('holds a stalled answer while the call is already recorded', async () => {
      fake.stall('sendMessage', 300, 1);
      const startedAtMs = performance.now();
      const answer = callBotApi(fake, 'sendMessage', { chat_id: CHAT_ID, text: 'slow' });
      await fake.waitForCall('sendMessage');
      expect((await answer).status).toBe(200);
      expect(performance.now() - startedAtMs).toBeGreaterThanOrEqual(290);
    });
  });
});

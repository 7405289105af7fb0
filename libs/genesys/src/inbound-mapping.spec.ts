import { OpenInboundMessage, PermanentError, TelegramMessage } from '@tgg/contracts';
import fc from 'fast-check';
import { toGenesysInboundMessage, type InboundMappingInput, type MediaFileRef } from './inbound-mapping.js';

const chatId = '7000000001';
const ana = { id: 7000000001, is_bot: false, first_name: 'Ana', last_name: 'Lopez', username: 'ana_l', language_code: 'es' };

/** A message parsed through the contract, so fixtures cannot drift from it. */
function aMessage(fields: Record<string, unknown> = {}): TelegramMessage {
  return TelegramMessage.parse({ message_id: 42, date: 1767225660, chat: { id: Number(chatId), type: 'private' }, from: ana, ...fields });
}

const linkedFiles: MediaFileRef[] = [];
function mediaLinkFor(file: MediaFileRef): string {
  linkedFiles.push(file);
  return `https://bridge.example/media/${encodeURIComponent(file.fileId)}?exp=1&sig=x`;
}

function mapped(message: TelegramMessage, overrides: Partial<InboundMappingInput> = {}): OpenInboundMessage {
  const result = toGenesysInboundMessage({ chatId, kind: 'message', message, updateId: 731004213, ...overrides }, mediaLinkFor);
  expect(OpenInboundMessage.parse(result)).toEqual(result); // the contract accepts it unchanged
  return result;
}

const bigFile = { file_id: 'BQACAgQ-big', file_unique_id: 'AgADbig', file_size: Math.round(35.2 * 1024 * 1024) };

beforeEach(() => {
  linkedFiles.length = 0;
});

describe('toGenesysInboundMessage', () => {
  it('maps a text message: ids, sender, time, text and routing attributes', () => {
    expect(mapped(aMessage({ text: 'Hola, my router is broken' }), { botUsername: 'acme_support_bot' })).toEqual({
      channel: {
        messageId: '7000000001:42',
        time: '2026-01-01T00:01:00.000Z',
        from: { id: '7000000001', idType: 'Opaque', nickname: '@ana_l', firstName: 'Ana', lastName: 'Lopez' },
        metadata: {
          customAttributes: {
            telegramChatId: '7000000001',
            telegramUpdateId: '731004213',
            telegramUsername: 'ana_l',
            telegramLanguage: 'es',
            telegramBot: 'acme_support_bot',
          },
        },
      },
      text: 'Hola, my router is broken',
    });
  });

  it('keeps chat ids beyond 32 bits exactly', () => {
    for (const bigChatId of ['7000000001', '-1001234567890']) {
      const message = aMessage({ chat: { id: Number(bigChatId), type: 'supergroup', title: 'Support' }, text: 'hi' });
      const result = mapped(message, { chatId: bigChatId });
      expect(result.channel.from.id).toBe(bigChatId);
      expect(result.channel.messageId).toBe(`${bigChatId}:42`);
      expect(result.channel.metadata?.customAttributes['telegramChatId']).toBe(bigChatId);
    }
  });

  it('names the sender by full name without a username, and omits what is unknown', () => {
    const result = mapped(aMessage({ from: { id: 1, first_name: 'Ana' }, text: 'hi' }));
    expect(result.channel.from).toEqual({ id: chatId, idType: 'Opaque', nickname: 'Ana', firstName: 'Ana' });
    expect(result.channel.metadata?.customAttributes).toEqual({ telegramChatId: chatId, telegramUpdateId: '731004213' });
  });

  it('marks an edit as edited, keyed and timed by its edit date', () => {
    const result = mapped(aMessage({ text: 'my router is fixed', edit_date: 1767225700 }), { kind: 'edited_message' });
    expect(result.channel.messageId).toBe('7000000001:42:e1767225700');
    expect(result.channel.time).toBe('2026-01-01T00:01:40.000Z');
    expect(result.text).toBe('✏️ edited: my router is fixed');
  });

  it('sends the largest photo size as an Image with the caption as text', () => {
    const photo = [
      { file_id: 'small', file_unique_id: 'u1', width: 90, height: 67, file_size: 1203 },
      { file_id: 'large', file_unique_id: 'u3', width: 1280, height: 960, file_size: 98311 },
      { file_id: 'medium', file_unique_id: 'u2', width: 320, height: 240, file_size: 9000 },
    ];
    const result = mapped(aMessage({ photo, caption: 'My router shows this error' }));
    expect(result.text).toBe('My router shows this error');
    expect(result.content).toEqual([
      {
        attachment: {
          mediaType: 'Image',
          url: 'https://bridge.example/media/large?exp=1&sig=x',
          mime: 'image/jpeg',
          filename: 'photo_42.jpg',
          id: 'u3',
        },
      },
    ]);
    expect(linkedFiles).toEqual([{ fileId: 'large', mime: 'image/jpeg', filename: 'photo_42.jpg', sizeBytes: 98311 }]);
  });

  it.each([
    ['document', { file_id: 'f', file_unique_id: 'u', file_name: 'invoice.pdf', mime_type: 'application/pdf' }, 'File', 'application/pdf', 'invoice.pdf'],
    ['document', { file_id: 'f', file_unique_id: 'u', file_name: 'scan.png', mime_type: 'image/png' }, 'Image', 'image/png', 'scan.png'],
    ['document', { file_id: 'f', file_unique_id: 'u' }, 'File', 'application/octet-stream', 'document_42'],
    ['video', { file_id: 'f', file_unique_id: 'u', duration: 3 }, 'Video', 'video/mp4', 'video_42.mp4'],
    ['video_note', { file_id: 'f', file_unique_id: 'u', duration: 3 }, 'Video', 'video/mp4', 'video_note_42.mp4'],
    ['audio', { file_id: 'f', file_unique_id: 'u', mime_type: 'audio/mpeg', file_name: 'song.mp3' }, 'Audio', 'audio/mpeg', 'song.mp3'],
    ['voice', { file_id: 'f', file_unique_id: 'u', mime_type: 'audio/ogg', duration: 2 }, 'Audio', 'audio/ogg', 'voice_42.ogg'],
    ['sticker', { file_id: 'f', file_unique_id: 'u', emoji: '😀', is_animated: false, is_video: false }, 'Image', 'image/webp', 'sticker_42.webp'],
  ])('sends a %s as one %s attachment', (field, file, mediaType, mime, filename) => {
    const result = mapped(aMessage({ [field]: file }));
    expect(result.content).toEqual([{ attachment: { mediaType, url: 'https://bridge.example/media/f?exp=1&sig=x', mime, filename, id: 'u' } }]);
    expect(result.text).toBeUndefined();
  });

  it('prefers the animation over the document Telegram also sets for a GIF', () => {
    const gif = { file_id: 'gif', file_unique_id: 'g', file_name: 'fun.mp4', mime_type: 'video/mp4' };
    const result = mapped(aMessage({ animation: gif, document: gif }));
    expect(result.content?.[0]?.attachment).toMatchObject({ mediaType: 'Video', filename: 'fun.mp4' });
  });

  it('turns an animated or video sticker into its emoji as text', () => {
    expect(mapped(aMessage({ sticker: { file_id: 'f', file_unique_id: 'u', emoji: '😀', is_animated: true } })).text).toBe('[sticker 😀]');
    expect(mapped(aMessage({ sticker: { file_id: 'f', file_unique_id: 'u', is_video: true } })).text).toBe('[sticker]');
    expect(linkedFiles).toEqual([]);
  });

  it('replaces a file over the 20 MB download limit with a note, and signs no link for it', () => {
    const result = mapped(aMessage({ document: { ...bigFile, file_name: 'backup.zip' }, caption: 'logs attached' }));
    expect(result.content).toBeUndefined();
    expect(result.text).toBe('logs attached\n[file too large for Telegram bots to download: backup.zip (35.2 MB)]');
    expect(linkedFiles).toEqual([]);
  });

  it('still forwards a file of exactly 20 MB', () => {
    expect(mapped(aMessage({ video: { ...bigFile, file_size: 20 * 1024 * 1024 } })).content).toHaveLength(1);
  });

  it('writes a location, a venue and a contact as readable text', () => {
    const location = { latitude: 40.4168, longitude: -3.7038 };
    expect(mapped(aMessage({ location })).text).toBe('📍 Location: 40.4168, -3.7038 https://maps.google.com/?q=40.4168,-3.7038');
    expect(mapped(aMessage({ location, venue: { location, title: 'Acme Store', address: 'Gran Vía 1, Madrid' } })).text).toBe(
      '📍 Venue: Acme Store, Gran Vía 1, Madrid https://maps.google.com/?q=40.4168,-3.7038',
    );
    expect(mapped(aMessage({ contact: { phone_number: '+34600000000', first_name: 'Ana', last_name: 'Lopez' } })).text).toBe(
      '👤 Contact: Ana Lopez, +34600000000',
    );
  });

  it('says so instead of sending an empty message', () => {
    expect(mapped(aMessage({ poll: { question: 'Which?' } })).text).toBe('[unsupported message]');
    expect(mapped(aMessage({ text: '' })).text).toBe('[unsupported message]');
    expect(mapped(aMessage({ edit_date: 1767225700 }), { kind: 'edited_message' }).text).toBe('✏️ edited: [unsupported message]');
  });

  it('refuses a date no clock can show as a permanent error', () => {
    expect(() => mapped(aMessage({ date: 9e15, text: 'x' }))).toThrow(PermanentError);
  });

  it('produces a body the contract accepts, never empty, for any message shape', () => {
    const file = fc.record({
      file_id: fc.string({ minLength: 1, maxLength: 20 }),
      file_unique_id: fc.string({ minLength: 1, maxLength: 10 }),
      file_size: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
      file_name: fc.option(fc.string(), { nil: undefined }),
      mime_type: fc.option(fc.constantFrom('image/png', 'video/mp4', 'audio/ogg', 'application/pdf'), { nil: undefined }),
    });
    const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const messageFields = fc.record({
      text: optional(fc.string()),
      caption: optional(fc.string()),
      edit_date: optional(fc.integer({ min: 0, max: 2 ** 32 })),
      document: optional(file),
      voice: optional(file),
      photo: optional(fc.array(fc.record({ file_id: fc.string({ minLength: 1 }), file_unique_id: fc.string(), width: fc.nat(5000), height: fc.nat(5000) }))),
      sticker: optional(fc.record({ file_id: fc.string({ minLength: 1 }), file_unique_id: fc.string(), emoji: optional(fc.string()), is_animated: fc.boolean() })),
      location: optional(fc.record({ latitude: fc.double({ min: -90, max: 90, noNaN: true }), longitude: fc.double({ min: -180, max: 180, noNaN: true }) })),
      from: optional(fc.record({ id: fc.nat(), first_name: optional(fc.string()), username: optional(fc.string()), language_code: optional(fc.string()) })),
    });
    fc.assert(
      fc.property(messageFields, fc.constantFrom('message' as const, 'edited_message' as const), fc.bigInt({ min: -(2n ** 52n), max: 2n ** 52n }), (fields, kind, bigChatId) => {
        const definedFields = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
        const message = TelegramMessage.parse({ message_id: 42, date: 1767225660, chat: { id: Number(bigChatId), type: 'private' }, ...definedFields });
        const result = mapped(message, { kind, chatId: String(bigChatId) });
        expect(result.channel.from.id).toBe(String(bigChatId));
        expect(Boolean(result.text) || (result.content?.length ?? 0) === 1).toBe(true);
        for (const value of Object.values(result.channel.metadata?.customAttributes ?? {})) expect(typeof value).toBe('string');
      }),
    );
  });
});

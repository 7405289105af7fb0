import { OpenInboundMessage, OpenInboundStructuredResponse, type ButtonTap } from '@tgg/contracts';
import { toGenesysStructuredResponse, toGenesysTapAsText, type ButtonTapMappingInput } from './inbound-mapping.js';

const chatId = '7000000001';
const tap: ButtonTap = {
  callbackQueryId: '4382190231234567890',
  keyboardMessageId: 17,
  from: { id: 7000000001, is_bot: false, first_name: 'Ana', username: 'ana_l', language_code: 'es' },
  originatingMessageId: 'a1b2c3d4e5f6',
  type: 'QuickReply',
  text: 'Sí, resuelto 👍',
  payload: `RESOLVED:${'x'.repeat(200)}`,
};
const input: ButtonTapMappingInput = { chatId, tap, updateId: 731004300, receivedAtMs: Date.parse('2026-01-01T00:01:02.345Z'), botUsername: 'default' };

describe('toGenesysStructuredResponse', () => {
  it('answers the originating message with the button, the whole payload, and a stable messageId', () => {
    const body = toGenesysStructuredResponse(input);
    expect(OpenInboundStructuredResponse.parse(body)).toEqual(body);
    expect(body).toEqual({
      channel: {
        messageId: `${chatId}:cb:4382190231234567890`,
        time: '2026-01-01T00:01:02.000Z',
        from: { id: chatId, idType: 'Opaque', nickname: '@ana_l', firstName: 'Ana' },
        metadata: { customAttributes: { telegramChatId: chatId, telegramUpdateId: '731004300', telegramUsername: 'ana_l', telegramLanguage: 'es', telegramBot: 'default' } },
      },
      buttonResponse: { type: 'QuickReply', text: 'Sí, resuelto 👍', payload: tap.payload },
      originatingMessageId: 'a1b2c3d4e5f6',
    });
  });
});

describe('toGenesysTapAsText', () => {
  it('carries the chosen label as text under the same channel, for a question whose conversation ended', () => {
    const body = toGenesysTapAsText(input);
    expect(OpenInboundMessage.parse(body)).toEqual(body);
    expect(body).toEqual({ channel: toGenesysStructuredResponse(input).channel, text: 'Sí, resuelto 👍' });
  });
});

import type { CallbackQuery } from '@tgg/contracts';
import { callbackDataOf, type KeyboardButtonRecord } from '@tgg/telegram';
import { TAP_NOTICES, answeredKeyboardOf, judgeTap } from './tap-verdict.js';

const CHAT_ID = 7_000_000_001;
const DATA = callbackDataOf('A'.repeat(22));
const button: KeyboardButtonRecord = { channel: 'default', chatId: String(CHAT_ID), keyboardId: 'kbd-1', originatingMessageId: 'g-1', type: 'QuickReply', text: 'Yes', payload: 'YES' };

function tap(overrides: Partial<CallbackQuery> = {}): CallbackQuery {
  return { id: '4382190231234567890', from: { id: CHAT_ID }, chat_instance: '-123', data: DATA, message: { message_id: 5, date: 1767225660, chat: { id: CHAT_ID, type: 'private' } }, ...overrides };
}

describe('judgeTap', () => {
  const claimed = async () => true;

  it('forwards a tap on a live button of this channel and chat that wins its keyboard', async () => {
    expect(await judgeTap(tap(), 'default', button, claimed)).toEqual({ kind: 'forward', button });
  });

  it('answers a second tap on an answered keyboard and leaves the keyboard as the first tap marked it', async () => {
    expect(await judgeTap(tap(), 'default', button, async () => false)).toEqual({ kind: 'ignore', reason: 'tap_answered', notice: TAP_NOTICES.answered, closeKeyboard: false });
  });

  it('closes an expired keyboard of the bridge and one whose record names another channel or chat, without claiming it', async () => {
    const neverClaimed = async () => {
      throw new Error('must not claim');
    };
    expect(await judgeTap(tap(), 'default', undefined, neverClaimed)).toMatchObject({ kind: 'ignore', reason: 'tap_expired', closeKeyboard: true });
    expect(await judgeTap(tap(), 'sales', button, neverClaimed)).toMatchObject({ kind: 'ignore', reason: 'tap_foreign', closeKeyboard: true });
    const otherChat = tap({ message: { message_id: 5, date: 1, chat: { id: 42, type: 'private' } } });
    expect(await judgeTap(otherChat, 'default', button, neverClaimed)).toMatchObject({ kind: 'ignore', reason: 'tap_foreign', closeKeyboard: true });
  });

  it("answers a keyboard that is not the bridge's (other callback_data, inline mode) and leaves it alone", async () => {
    expect(await judgeTap(tap({ data: 'vote:42' }), 'default', undefined, claimed)).toEqual({ kind: 'ignore', reason: 'tap_not_ours', notice: TAP_NOTICES.closed, closeKeyboard: false });
    const { message: _message, ...inline } = tap({ inline_message_id: 'AAAA' });
    expect(await judgeTap(inline, 'default', button, claimed)).toMatchObject({ kind: 'ignore', reason: 'tap_not_ours' });
  });
});

describe('answeredKeyboardOf', () => {
  it('keeps only the chosen option, marked, on the same callback_data', () => {
    expect(answeredKeyboardOf(button, DATA)).toEqual({ inline_keyboard: [[{ text: '✓ Yes', callback_data: DATA }]] });
  });
});
